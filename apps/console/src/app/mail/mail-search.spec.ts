import { pageSize, searchFromQuery, searchProblems, searchToQuery, unusedFields } from './mail-search';

describe('mail search in the URL', () => {
  it('reads the conditions, match and time range from the query and leaves unknown keys out', () => {
    expect(searchFromQuery({ subject: 'invoice', sender: 'a@b', match: 'any', from: '2026-12-01T00:00:00.000Z', evil: 'x' })).toEqual({
      match: 'any',
      from: '2026-12-01T00:00:00.000Z',
      to: '',
      conditions: [
        { field: 'sender', value: 'a@b' },
        { field: 'subject', value: 'invoice' },
      ],
    });
    expect(searchFromQuery({})).toEqual({ match: 'all', from: '', to: '', conditions: [] });
  });

  it('writes only what is set, and match=any only when two fields or more are joined', () => {
    const query = searchToQuery({
      match: 'any',
      from: '',
      to: '2026-12-02T00:00:00.000Z',
      conditions: [
        { field: 'sender', value: ' a@b ' },
        { field: 'symbol', value: 'AV_VIRUS' },
        { field: 'subject', value: ' ' },
      ],
    });
    expect(query).toEqual({ sender: 'a@b', symbol: 'AV_VIRUS', match: 'any', to: '2026-12-02T00:00:00.000Z' });
    expect(searchToQuery({ match: 'any', from: '', to: '', conditions: [{ field: 'node', value: 'mx1' }] })).toEqual({ node: 'mx1' });
    expect(searchFromQuery(query)).toEqual({ match: 'any', from: '', to: '2026-12-02T00:00:00.000Z', conditions: [{ field: 'sender', value: 'a@b' }, { field: 'symbol', value: 'AV_VIRUS' }] });
  });

  it('names a field given twice and a time range that ends before it starts', () => {
    expect(
      searchProblems({
        match: 'all',
        from: '2026-12-02T00:00:00.000Z',
        to: '2026-12-01T00:00:00.000Z',
        conditions: [
          { field: 'rcpt', value: 'a' },
          { field: 'rcpt', value: 'b' },
          { field: 'sender', value: '' },
          { field: 'sender', value: 'c' },
        ],
      }),
    ).toEqual(['Recipient appears twice: give it one value', 'The start of the time range must come before its end']);
    expect(searchProblems({ match: 'all', from: '', to: '', conditions: [] })).toEqual([]);
  });

  it('offers the fields not used yet', () => {
    expect(unusedFields([{ field: 'sender', value: '' }])[0]).toBe('rcpt');
    expect(unusedFields([{ field: 'sender', value: '' }])).not.toContain('sender');
  });
});

describe('pageSize', () => {
  it('takes a whole number from 1 to 1000 from the URL, else 50', () => {
    expect(pageSize('2')).toBe(2);
    expect(pageSize('1000')).toBe(1000);
    expect(pageSize(undefined)).toBe(50);
    for (const bad of ['0', '1001', '2.5', 'ten', '', '-3']) expect(pageSize(bad)).toBe(50);
  });
});
