import { lineOf, readJson } from './json-lines';

describe('readJson', () => {
  it('gives the line of every field and array element by dotted path', () => {
    const reading = readJson('{\n  "thresholds": {\n    "tag": 5\n  },\n  "lists": { "ipBlock": [\n    "192.0.2.1",\n    "x"\n  ] }\n}\n');
    if (!reading.ok) throw new Error(reading.message);
    expect(reading.value).toEqual({ thresholds: { tag: 5 }, lists: { ipBlock: ['192.0.2.1', 'x'] } });
    expect([...reading.lines]).toEqual([
      ['thresholds', 2],
      ['thresholds.tag', 3],
      ['lists', 5],
      ['lists.ipBlock', 5],
      ['lists.ipBlock.0', 6],
      ['lists.ipBlock.1', 7],
    ]);
  });

  it('says where the text stops being JSON and why', () => {
    expect(readJson('{\n  "a": 1\n  "b": 2\n}')).toEqual({ ok: false, line: 3, message: 'expected "," or "}" after a field (a missing comma?)' });
    expect(readJson('{\n  "a": tru\n}')).toMatchObject({ ok: false, line: 2, message: 'unexpected "t"' });
    expect(readJson('{ "a": [1, 2')).toMatchObject({ ok: false, line: 1, message: 'the text ends before the document does' });
    expect(readJson('{ "a": "\\q" }')).toMatchObject({ ok: false, message: 'a string has an invalid escape' });
    expect(readJson('{}\n\nx')).toMatchObject({ ok: false, line: 3, message: 'unexpected text after the document' });
  });

  it('refuses hostile nesting without exhausting the stack', () => {
    expect(readJson('['.repeat(100_000))).toMatchObject({ ok: false, message: 'nested more than 200 levels deep' });
  });

  it('keeps a __proto__ field as data', () => {
    const reading = readJson('{"__proto__": {"x": 1}}');
    expect(reading.ok && Object.hasOwn(reading.value as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('lineOf', () => {
  it('falls back to the nearest enclosing field that is in the text', () => {
    const lines = new Map([
      ['domains', 2],
      ['domains.0', 3],
      ['domains.0.downstream', 5],
    ]);
    expect(lineOf(lines, 'domains.0.downstream')).toBe(5);
    expect(lineOf(lines, 'domains.0.downstream.host')).toBe(5);
    expect(lineOf(lines, 'thresholds.tag')).toBeUndefined();
    expect(lineOf(lines, '')).toBeUndefined();
  });
});
