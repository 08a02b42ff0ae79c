import { parsePolicy, type PolicyInput } from '@moat/policy';

export const DEMO_DOMAIN = 'example.test';
export const DEMO_ACCOUNTS = ['alice', 'bob'] as const;

/**
 * The policy a fresh local cluster starts with: tenant `demo` serving example.test (alice@ and bob@),
 * delivering to the demo mailbox in plain SMTP. Retries come sooner than production's because the
 * downstream is local and an evaluator should see a queued message arrive once the mailbox is back.
 * alice@ and bob@ may submit outbound mail once `moat accounts passwd` gave them a password; it leaves through
 * the demo "internet" server (INTERNETPORT) as smarthost. Outbound mail carrying 5 or more resident registration
 * numbers is held for an approver (DLP, F20); fewer are logged.
 */
export function demoPolicy(downstreamPort: number, internetPort?: number): PolicyInput {
  return parsePolicy({
    tenant: { id: 'default', name: 'Demo tenant' },
    domains: [
      {
        name: DEMO_DOMAIN,
        downstream: { host: '127.0.0.1', port: downstreamPort, tls: 'none' },
        accounts: [...DEMO_ACCOUNTS],
      },
    ],
    delivery: { retryScheduleSeconds: [2, 5, 15, 60, 300] },
    outbound: {
      accounts: DEMO_ACCOUNTS.map((name) => ({ address: `${name}@${DEMO_DOMAIN}`, canSend: true })),
      delivery: { smarthosts: internetPort === undefined ? [] : [{ senderDomain: '*', host: '127.0.0.1', port: internetPort, tls: 'none' }] },
    },
    dlp: { enabled: true, directions: ['outbound'], rules: { rrn: { threshold: 5, action: 'hold' } } },
  });
}
