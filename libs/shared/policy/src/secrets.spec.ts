import { describe, expect, it } from 'vitest';
import { parsePolicy } from './validate.js';
import { KEPT_SECRET, redactSecrets, restoreSecrets } from './secrets.js';

const HASH = { algorithm: 'scrypt', salt: 'c2FsdHNhbHQ=', hash: 'aGFzaGhhc2hoYXNoaGFzaA==', cost: 16384 } as const;

function policyWithSender() {
  return parsePolicy(
    JSON.stringify({
      domains: [{ name: 'example.test', downstream: { host: 'mx.example.test' } }],
      outbound: { accounts: [{ address: 'alice@example.test', canSend: true, passwordHash: HASH }, { address: 'bob@example.test', canSend: true }] },
    }),
  );
}

describe('policy secrets', () => {
  it('replaces every password hash, also inside lists of changes, and leaves the rest as it was', () => {
    const policy = policyWithSender();
    const redacted = redactSecrets(policy);
    expect(JSON.stringify(redacted)).not.toContain(HASH.hash);
    expect(redacted.outbound.accounts[0]).toMatchObject({ address: 'alice@example.test', passwordHash: KEPT_SECRET });
    expect(redacted.outbound.accounts[1]).not.toHaveProperty('passwordHash');
    expect(redactSecrets([{ path: 'outbound.accounts', from: policy.outbound.accounts }])[0]?.from).toEqual(redacted.outbound.accounts);
    expect(policy.outbound.accounts[0]?.passwordHash).toEqual(HASH);
  });

  it('gives a document sent back with the marker its stored hashes, and drops a marker with no hash behind it', () => {
    const running = policyWithSender();
    const sent = redactSecrets(running) as unknown as { outbound: { accounts: Array<Record<string, unknown>> } };
    sent.outbound.accounts.push({ address: 'carol@example.test', canSend: true, passwordHash: KEPT_SECRET });
    const restored = parsePolicy(JSON.stringify(restoreSecrets(sent, running)));
    expect(restored.outbound.accounts.map((a) => a.passwordHash)).toEqual([HASH, undefined, undefined]);
  });
});
