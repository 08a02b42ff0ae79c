import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compileForwarding, forwardingRulesFor } from './compile-forwarding.js';

const policy = parsePolicy({
  domains: [{ name: 'example.test', downstream: { host: 'mx' } }],
  forwarding: {
    rules: [
      { name: 'all of a', recipients: { kind: 'address', address: 'a@example.test' }, to: ['x@remote.test'] },
      { name: 'partner to the domain', senders: { kind: 'domain', domain: 'partner.test' }, recipients: { kind: 'domain', domain: 'example.test' }, to: ['y@remote.test'] },
      { name: 'boss to b', senders: { kind: 'address', address: 'boss@partner.test' }, recipients: { kind: 'address', address: 'b@example.test' }, to: ['z@remote.test'], mode: 'forward' },
      { name: 'off', enabled: false, recipients: { kind: 'domain', domain: 'example.test' }, to: ['w@remote.test'] },
    ],
  },
});
const compiled = compileForwarding(policy.forwarding);
const names = (from: string, rcpt: string) => forwardingRulesFor(compiled, from, rcpt).map((r) => r.name);

describe('forwarding rules', () => {
  it('match the recipient by address or domain and the sender by all, address or domain; disabled rules never', () => {
    expect(names('someone@else.test', 'A@Example.test')).toEqual(['all of a']);
    expect(names('someone@partner.test', 'a@example.test')).toEqual(['all of a', 'partner to the domain']);
    expect(names('Boss@Partner.test', 'b@example.test')).toEqual(['boss to b', 'partner to the domain']);
    expect(names('other@partner.test', 'b@example.test')).toEqual(['partner to the domain']);
    expect(names('', 'b@example.test')).toEqual([]);
    expect(names('', 'a@example.test')).toEqual(['all of a']);
    expect(names('x@partner.test', 'c@other.test')).toEqual([]);
  });

  it('cost nothing without rules', () => {
    expect(forwardingRulesFor(compileForwarding(parsePolicy({}).forwarding), 'a@b.test', 'c@d.test')).toEqual([]);
  });
});
