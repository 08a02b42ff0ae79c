import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { demoPolicy } from './demo-policy.js';

describe('demoPolicy', () => {
  it('is a valid policy for example.test with alice and bob, delivering to the demo mailbox in plain SMTP', () => {
    const policy = parsePolicy(demoPolicy(2600));
    expect(policy.tenant).toEqual({ id: 'default', name: 'Demo tenant' });
    expect(policy.domains).toEqual([expect.objectContaining({ name: 'example.test', accounts: ['alice', 'bob'], downstream: { host: '127.0.0.1', port: 2600, tls: 'none' } })]);
  });

  it('lets alice and bob send (without a password until moat accounts passwd) through the demo internet server', () => {
    const policy = parsePolicy(demoPolicy(2600, 2601));
    expect(policy.outbound.accounts.map((a) => [a.address, a.canSend, a.passwordHash])).toEqual([
      ['alice@example.test', true, undefined],
      ['bob@example.test', true, undefined],
    ]);
    expect(policy.outbound.delivery.smarthosts).toEqual([{ senderDomain: '*', host: '127.0.0.1', port: 2601, tls: 'none' }]);
  });

  it('holds outbound mail with 5 or more resident registration numbers for an approver', () => {
    expect(parsePolicy(demoPolicy(2600)).dlp).toEqual({ enabled: true, directions: ['outbound'], strictChecksum: true, approvalExpiryHours: 72, rules: { rrn: { threshold: 5, action: 'hold' } } });
  });
});
