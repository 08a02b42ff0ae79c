import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compileForwarding, forwardingRulesFor } from './compile-forwarding.js';

const policy = parsePolicy({
  domains: [{ name: 'example.test', downstream: { host: 'mx' } }],
  groups: [
    { name: 'sales', members: ['a@example.test', 'Sam@example.test'] },
    { name: 'unused', members: ['u@example.test'] },
  ],
  forwarding: {
    rules: [
      { name: 'sales copy', recipients: { kind: 'group', group: 'sales' }, to: ['s@remote.test'] },
      { name: 'sales off', enabled: false, recipients: { kind: 'group', group: 'sales' }, to: ['o@remote.test'] },
      { name: 'all of a', recipients: { kind: 'address', address: 'a@example.test' }, to: ['x@remote.test'] },
      { name: 'partner to the domain', senders: { kind: 'domain', domain: 'partner.test' }, recipients: { kind: 'domain', domain: 'example.test' }, to: ['y@remote.test'] },
      { name: 'boss to b', senders: { kind: 'address', address: 'boss@partner.test' }, recipients: { kind: 'address', address: 'b@example.test' }, to: ['z@remote.test'], mode: 'forward' },
      { name: 'off', enabled: false, recipients: { kind: 'domain', domain: 'example.test' }, to: ['w@remote.test'] },
      { name: 'partner to sales', senders: { kind: 'domain', domain: 'partner.test' }, recipients: { kind: 'group', group: 'sales' }, to: ['p@remote.test'] },
    ],
  },
});
const compiled = compileForwarding(policy.forwarding, policy.groups);
const names = (from: string, rcpt: string) => forwardingRulesFor(compiled, from, rcpt).map((r) => r.name);

describe('forwarding rules', () => {
  it('match the recipient by address, group or domain and the sender by all, address or domain; disabled rules never', () => {
    expect(names('someone@else.test', 'A@Example.test')).toEqual(['all of a', 'sales copy']);
    expect(names('someone@partner.test', 'a@example.test')).toEqual(['all of a', 'sales copy', 'partner to sales', 'partner to the domain']);
    expect(names('Boss@Partner.test', 'b@example.test')).toEqual(['boss to b', 'partner to the domain']);
    expect(names('other@partner.test', 'b@example.test')).toEqual(['partner to the domain']);
    expect(names('', 'b@example.test')).toEqual([]);
    expect(names('', 'a@example.test')).toEqual(['all of a', 'sales copy']);
    expect(names('x@partner.test', 'c@other.test')).toEqual([]);
  });

  it('hold a group rule with its members as a set, shared by the rules of one group; members only match', () => {
    expect(compiled.byGroup.map((g) => [g.rule.name, [...g.members]])).toEqual([
      ['sales copy', ['a@example.test', 'sam@example.test']],
      ['partner to sales', ['a@example.test', 'sam@example.test']],
    ]);
    expect(compiled.byGroup[0]?.members).toBe(compiled.byGroup[1]?.members);
    expect(names('x@else.test', 'SAM@example.test')).toEqual(['sales copy']);
    expect(names('x@else.test', 'u@example.test')).toEqual([]);
  });

  it('cost nothing without rules', () => {
    const empty = parsePolicy({});
    expect(forwardingRulesFor(compileForwarding(empty.forwarding, empty.groups), 'a@b.test', 'c@d.test')).toEqual([]);
  });
});
