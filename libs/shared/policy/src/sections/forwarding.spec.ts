import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyValidationError } from '../index.js';

const domains = [{ name: 'example.test', downstream: { host: 'mx.example.test' } }];

function problems(forwarding: unknown): string[] {
  try {
    parsePolicy({ domains, forwarding });
    return [];
  } catch (err) {
    return (err as PolicyValidationError).problems;
  }
}

describe('policy forwarding', () => {
  it('defaults to no rules, 5 hops, 30 Received fields, SRS addresses valid 21 days', () => {
    expect(parsePolicy({}).forwarding).toEqual({ rules: [], maxHops: 5, maxReceived: 30, srs: { maxAgeDays: 21 } });
  });

  it('fills a rule: every sender, SRS of the original sender, copy mode; addresses in lower case', () => {
    const policy = parsePolicy({ domains, forwarding: { rules: [{ name: 'a to b', recipients: { kind: 'address', address: 'A@Example.test' }, to: ['B@Remote.test'] }] } });
    expect(policy.forwarding.rules[0]).toEqual({
      name: 'a to b',
      enabled: true,
      senders: { kind: 'all' },
      recipients: { kind: 'address', address: 'a@example.test' },
      forwardingSender: { kind: 'original-sender' },
      to: ['b@remote.test'],
      mode: 'copy',
    });
  });

  it('names each problem: recipients and SRS domain outside the tenant, duplicate names, bad modes and addresses', () => {
    expect(problems({ rules: [{ name: 'x', recipients: { kind: 'domain', domain: 'other.test' }, to: ['b@remote.test'] }] })).toEqual([
      expect.stringContaining('forwarding.rules.0.recipients: other.test is not one of the tenant'),
    ]);
    const rule = { name: 'x', recipients: { kind: 'domain', domain: 'example.test' }, to: ['b@remote.test'] };
    expect(problems({ rules: [rule, rule] })).toEqual([expect.stringContaining('forwarding.rules.1.name: duplicate rule name x')]);
    expect(problems({ srs: { domain: 'other.test' } })).toEqual([expect.stringContaining('forwarding.srs.domain')]);
    expect(problems({ rules: [{ ...rule, mode: 'redirect' }] })).toEqual([expect.stringContaining('forwarding.rules.0.mode')]);
    expect(problems({ rules: [{ ...rule, to: [] }] })).toEqual([expect.stringContaining('forwarding.rules.0.to')]);
    expect(problems({ rules: [{ ...rule, to: ['not an address'] }] })).toEqual([expect.stringContaining('forwarding.rules.0.to.0')]);
    expect(problems({ rules: [{ ...rule, senders: { kind: 'group', group: 'sales' } }] })).toEqual([expect.stringContaining('forwarding.rules.0.senders')]);
    expect(problems({ rules: [{ ...rule, recipients: { kind: 'group', group: 'sales' } }] })).toEqual(['forwarding.rules.0.recipients.group: no group named sales in groups']);
    expect(problems({ rules: [{ ...rule, extra: true }] })).toEqual([expect.stringContaining('forwarding.rules.0')]);
    expect(problems({ maxHops: 0 })).toEqual([expect.stringContaining('forwarding.maxHops')]);
  });
});
