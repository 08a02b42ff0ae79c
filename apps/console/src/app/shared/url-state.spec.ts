import { compactParams, isoToLocalInput, localInputToIso, sameQuery } from './url-state';

describe('URL state', () => {
  it('turns a datetime-local value into ISO and back', () => {
    const iso = localInputToIso('2026-12-07T21:30');
    expect(iso).toMatch(/^2026-12-0\dT\d\d:30:00\.000Z$/);
    expect(isoToLocalInput(iso)).toBe('2026-12-07T21:30');
  });

  it('gives "" for empty and unreadable times', () => {
    expect(localInputToIso('')).toBe('');
    expect(localInputToIso('yesterday')).toBe('');
    expect(isoToLocalInput('')).toBe('');
    expect(isoToLocalInput('not a time')).toBe('');
  });

  it('keeps only the entries with a value, trimmed', () => {
    expect(compactParams({ a: ' x ', b: '', c: '  ' })).toEqual({ a: 'x' });
  });
});

describe('sameQuery', () => {
  it('compares entries in any order', () => {
    expect(sameQuery({ a: '1', b: '2' }, { b: '2', a: '1' })).toBe(true);
    expect(sameQuery({ a: '1' }, { a: '1', b: '2' })).toBe(false);
    expect(sameQuery({ a: '1', b: '' }, { a: '1', c: '' })).toBe(false);
    expect(sameQuery({}, {})).toBe(true);
  });
});
