import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { defaultChecks } from './index.js';
import { relayControl } from './relay-control.js';

const policy = compilePolicy(
  parsePolicy({ domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }, { name: 'xn--bcher-kva.test', downstream: { host: '127.0.0.1' } }] }),
  1,
);

async function rcpt(address: string, pipeline = new Pipeline(defaultChecks()), compiled = policy) {
  const s = pipeline.session(compiled, { clientIp: '192.0.2.1' });
  await s.mailFrom('sender@elsewhere.test');
  return s.rcptTo(address);
}

describe('relay control', () => {
  it.each(['user@example.test', '<User@EXAMPLE.test>', '"user"@example.test', 'user@bücher.test', 'user@xn--bcher-kva.test'])('accepts %s', async (address) => {
    expect(await rcpt(address)).toEqual({ ok: true });
  });

  it.each([
    ['user@other.test', 'other.test is not a domain of this tenant'],
    ['user@sub.example.test', 'sub.example.test is not a domain of this tenant'],
    ['user@example.test.evil.test', 'example.test.evil.test is not a domain of this tenant'],
    ['user%other.test@example.test', 'routing characters in the local part'],
    ['other.test!user@example.test', 'routing characters in the local part'],
    ['"user@other.test"@example.test', 'routing characters in the local part'],
    ['"user%other.test"@example.test', 'routing characters in the local part'],
    ['<@example.test:user@other.test>', 'source-routed address'],
    ['<@relay.test:user@example.test>', 'source-routed address'],
    ['user@[127.0.0.1]', 'address literal instead of a domain'],
    ['user@[IPv6:::1]', 'address literal instead of a domain'],
  ])('denies %s with 550 5.7.1 (%s)', async (address, reason) => {
    const result = await rcpt(address);
    expect(result).toMatchObject({ ok: false, reply: { code: 550, message: '5.7.1 relaying denied' }, verdict: { action: 'reject' } });
    expect(result.ok || result.verdict.symbols).toEqual([{ name: 'RELAY_DENIED', score: 0, detail: `${address.replace(/^<|>$/g, '')}: ${reason}`, stage: 'rcpt' }]);
  });

  it('denies everything for a policy that serves no domain', async () => {
    const none = compilePolicy(parsePolicy({}), 0);
    expect(await rcpt('user@example.test', undefined, none)).toMatchObject({ ok: false, reply: { code: 550 } });
  });

  it('fails closed on unparsable addresses even without the syntax check before it', async () => {
    const result = await rcpt('user@example.test.', new Pipeline([relayControl]));
    expect(result).toMatchObject({ ok: false, reply: { code: 550 }, verdict: { symbols: [{ name: 'RELAY_DENIED', detail: 'user@example.test.: not a valid address' }] } });
  });
});
