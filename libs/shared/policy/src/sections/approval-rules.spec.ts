import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyValidationError } from '../index.js';

function problems(approvals: unknown): string[] {
  try {
    parsePolicy({ outbound: { approvals } });
  } catch (err) {
    if (err instanceof PolicyValidationError) return err.problems;
    throw err;
  }
  return [];
}

describe('outbound approval rules', () => {
  it('default to none', () => {
    expect(parsePolicy({}).outbound.approvals).toEqual([]);
  });

  it('take every condition, types, domains and keywords in lower case', () => {
    const rules = parsePolicy({
      outbound: {
        approvals: [
          { name: 'zip outside', attachmentTypes: ['ZIP', 'tar.gz'], recipientsOutside: ['Example.test'] },
          { name: 'big-or-secret', sizeOver: 1_000_000, keywords: ['  Confidential ', '대외비'], recipientsInside: ['partner.test'], dlpKinds: ['rrn', 'card'] },
        ],
      },
    }).outbound.approvals;
    expect(rules).toEqual([
      { name: 'zip outside', attachmentTypes: ['zip', 'tar.gz'], recipientsOutside: ['example.test'] },
      { name: 'big-or-secret', sizeOver: 1_000_000, keywords: ['confidential', '대외비'], recipientsInside: ['partner.test'], dlpKinds: ['rrn', 'card'] },
    ]);
  });

  it('refuse a rule without conditions, unknown keys, bad values and duplicate names, with clear problems', () => {
    expect(problems([{ name: 'empty' }])).toEqual(['outbound.approvals.0: name at least one condition (attachmentTypes, recipientsOutside, recipientsInside, sizeOver, keywords, dlpKinds)']);
    expect(problems([{ name: 'x', sizeOver: 1, regex: 'a+' }])[0]).toBe('outbound.approvals.0: Unrecognized key: "regex"');
    expect(problems([{ name: '', sizeOver: 1 }])[0]).toMatch(/^outbound\.approvals\.0\.name: must be 1-64 letters/);
    expect(problems([{ name: 'x', attachmentTypes: ['.exe'] }])[0]).toBe('outbound.approvals.0.attachmentTypes.0: must be a file type extension such as zip or xlsx');
    expect(problems([{ name: 'x', recipientsOutside: ['not a domain'] }])[0]).toBe('outbound.approvals.0.recipientsOutside.0: must be a domain name');
    expect(problems([{ name: 'x', sizeOver: -1 }])[0]).toMatch(/^outbound\.approvals\.0\.sizeOver: /);
    expect(problems([{ name: 'x', keywords: ['a'] }])).toEqual(['outbound.approvals.0.keywords.0: must be at least 2 characters']);
    expect(problems([{ name: 'x', keywords: ['bad\u0000word'] }])).toEqual(['outbound.approvals.0.keywords.0: must not contain control characters']);
    expect(problems([{ name: 'x', dlpKinds: ['ssn'] }])[0]).toMatch(/^outbound\.approvals\.0\.dlpKinds\.0: /);
    expect(problems([{ name: 'x', attachmentTypes: [] }])[0]).toMatch(/^outbound\.approvals\.0\.attachmentTypes: /);
    expect(problems([{ name: 'x', sizeOver: 1 }, { name: 'x', sizeOver: 2 }])).toEqual(['outbound.approvals.1.name: duplicate rule name x']);
  });
});
