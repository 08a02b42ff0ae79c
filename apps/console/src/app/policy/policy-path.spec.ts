import { parseProblem, problemsAt, shortValue, valueAt, withValue } from './policy-path';

describe('policy paths', () => {
  const doc = { thresholds: { tag: 5, reject: 15 }, smtpChecks: { rateLimits: [{ name: 'A', limit: 1 }] } };

  it('reads fields and array elements by dotted path', () => {
    expect(valueAt(doc, 'thresholds.tag')).toBe(5);
    expect(valueAt(doc, 'smtpChecks.rateLimits.0.name')).toBe('A');
    expect(valueAt(doc, 'smtpChecks.rateLimits.1.name')).toBeUndefined();
    expect(valueAt(doc, 'thresholds.tag.deeper')).toBeUndefined();
    expect(valueAt(doc, 'toString')).toBeUndefined();
    expect(valueAt(null, 'a')).toBeUndefined();
  });

  it('sets a value in a copy, creating objects on the way and removing a field for undefined', () => {
    const changed = withValue(doc, 'smtpChecks.rateLimits.0.limit', 7);
    expect(changed.smtpChecks.rateLimits[0]).toEqual({ name: 'A', limit: 7 });
    expect(doc.smtpChecks.rateLimits[0]?.limit).toBe(1);
    expect(changed.thresholds).toBe(doc.thresholds);
    expect(withValue(doc, 'classifier.enabled', true)).toMatchObject({ classifier: { enabled: true } });
    expect(withValue(doc, 'thresholds.tag', undefined).thresholds).toEqual({ reject: 15 });
  });

  it('splits the CSM problem lines and finds those of a field', () => {
    const problems = ['thresholds: thresholds must satisfy tag <= quarantine <= reject', 'lists.ipBlock.1: must be an IPv4/IPv6 address or CIDR block', '(root): Unrecognized key: "bogus"'].map(parseProblem);
    expect(problems[2]).toEqual({ path: '', message: 'Unrecognized key: "bogus"' });
    expect(problemsAt(problems, 'lists.ipBlock')).toEqual([{ path: 'lists.ipBlock.1', message: 'must be an IPv4/IPv6 address or CIDR block' }]);
    expect(problemsAt(problems, 'lists.ip')).toEqual([]);
    expect(parseProblem('no path here')).toEqual({ path: '', message: 'no path here' });
  });

  it('shows values as one short line', () => {
    expect(shortValue(undefined)).toBe('—');
    expect(shortValue('kept')).toBe('"kept"');
    expect(shortValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(shortValue('x'.repeat(500), 10)).toBe(`"${'x'.repeat(8)}…`);
  });
});
