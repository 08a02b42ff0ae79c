import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { defaultChecks } from './index.js';

const policy = compilePolicy(
  parsePolicy({
    lists: { ipBlock: ['203.0.113.0/24'] },
    domains: [
      { name: 'example.test', downstream: { host: '127.0.0.1' }, accounts: ['alice', 'Bob'], lists: { ipAllow: ['203.0.113.9'] } },
      { name: 'open.test', downstream: { host: '127.0.0.1' } },
    ],
  }),
  1,
);
const pipeline = new Pipeline(defaultChecks());

async function rcpt(address: string, clientIp = '192.0.2.1') {
  const s = pipeline.session(policy, { clientIp });
  await s.connect();
  await s.mailFrom('sender@elsewhere.test');
  return s.rcptTo(address);
}

describe('recipient account check', () => {
  it.each(['alice@example.test', 'ALICE@example.test', 'bob@example.test', 'alice+news@example.test', '"alice"@example.test', 'anyone@open.test'])('accepts %s', async (address) => {
    expect(await rcpt(address)).toEqual({ ok: true });
  });

  it.each(['carol@example.test', 'alicex@example.test', '+alice@example.test'])('refuses unknown %s with 550 5.1.1', async (address) => {
    const result = await rcpt(address);
    expect(result).toMatchObject({ ok: false, reply: { code: 550, message: '5.1.1 recipient address rejected: user unknown' }, verdict: { symbols: [{ name: 'RCPT_UNKNOWN' }] } });
  });

  it('answers a blocked client with the block, not with which accounts exist', async () => {
    // 203.0.113.5 is blocked globally but example.test allows 203.0.113.9 only, so the block is decided at RCPT.
    const result = await rcpt('carol@open.test', '203.0.113.5');
    expect(result).toMatchObject({ ok: false, reply: { code: 554 } });
    const probe = await rcpt('carol@example.test', '203.0.113.9');
    expect(probe).toMatchObject({ ok: false, reply: { code: 550, message: '5.1.1 recipient address rejected: user unknown' } });
  });
});
