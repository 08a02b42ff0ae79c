import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyValidationError } from '../index.js';

const domains = [{ name: 'example.test', downstream: { host: 'mx.example.test' } }];

function problems(input: Record<string, unknown>): string[] {
  try {
    parsePolicy({ domains, ...input });
    return [];
  } catch (err) {
    return (err as PolicyValidationError).problems;
  }
}

describe('policy groups', () => {
  it('defaults to none; members in lower case', () => {
    expect(parsePolicy({}).groups).toEqual([]);
    expect(parsePolicy({ domains, groups: [{ name: 'sales', members: ['Ann@Example.test'] }, { name: 'empty' }] }).groups).toEqual([
      { name: 'sales', members: ['ann@example.test'] },
      { name: 'empty', members: [] },
    ]);
  });

  it('names each problem: member outside the tenant or twice, duplicate or bad names, not an address', () => {
    expect(problems({ groups: [{ name: 'sales', members: ['ann@example.test', 'bob@other.test'] }] })).toEqual([
      "groups.0.members.1: bob@other.test is not at one of the tenant's domains",
    ]);
    expect(problems({ groups: [{ name: 'sales', members: ['ann@example.test', 'ANN@example.test'] }] })).toEqual(['groups.0.members.1: duplicate member ann@example.test']);
    expect(problems({ groups: [{ name: 'sales' }, { name: 'sales' }] })).toEqual(['groups.1.name: duplicate group name sales']);
    expect(problems({ groups: [{ name: 'a/b' }] })).toEqual([expect.stringContaining('groups.0.name: must be 1 to 64')]);
    expect(problems({ groups: [{ name: 'sales', members: ['not an address'] }] })).toContain('groups.0.members.0: must be an address (local@domain)');
    expect(problems({ groups: [{ name: 'sales', owner: 'x' }] })).toEqual([expect.stringContaining('groups.0')]);
  });

  it('is what a forwarding rule filters recipients by: an unknown group is a problem', () => {
    const rule = { name: 'to sales', recipients: { kind: 'group', group: 'sales' }, to: ['x@remote.test'] };
    expect(problems({ groups: [{ name: 'sales', members: ['ann@example.test'] }], forwarding: { rules: [rule] } })).toEqual([]);
    expect(problems({ groups: [{ name: 'support' }], forwarding: { rules: [rule] } })).toEqual(['forwarding.rules.0.recipients.group: no group named sales in groups']);
    expect(problems({ forwarding: { rules: [{ ...rule, recipients: { kind: 'group' } }] } })).toEqual([expect.stringContaining('forwarding.rules.0.recipients.group')]);
  });
});
