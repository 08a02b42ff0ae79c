import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { defaultChecks } from './index.js';

// sender-lists (global, MAIL) and domain-sender-lists (per recipient domain, RCPT) together.
const policy = compilePolicy(
  parsePolicy({
    lists: { senderBlock: ['spam.test', 'bad@evil.test', '.bulk.test'], senderAllow: ['good@spam.test'] },
    domains: [
      { name: 'a.test', downstream: { host: '127.0.0.1' }, lists: { senderAllow: ['bad@evil.test'] } },
      { name: 'b.test', downstream: { host: '127.0.0.1' }, lists: { senderBlock: ['b-only.test'] } },
      { name: 'c.test', downstream: { host: '127.0.0.1' }, lists: { ipAllow: ['192.0.2.50'], senderBlock: ['c-only.test'] } },
      { name: 'd.test', downstream: { host: '127.0.0.1' }, lists: { ipBlock: ['192.0.2.60'], senderAllow: ['friend.test'] } },
    ],
  }),
  1,
);
const pipeline = new Pipeline(defaultChecks());

async function transaction(sender: string, clientIp = '192.0.2.1') {
  const s = pipeline.session(policy, { clientIp });
  await s.connect();
  return { s, mail: await s.mailFrom(sender) };
}

describe('sender block and allow lists', () => {
  it.each(['x@spam.test', 'X@SPAM.TEST', 'x@deep.bulk.test', 'x@bulk.test'])('refuses globally blocked %s at MAIL FROM with 554 5.7.1', async (sender) => {
    const { mail } = await transaction(sender);
    expect(mail).toMatchObject({ ok: false, reply: { code: 554, message: '5.7.1 sender address blocked by policy' }, verdict: { action: 'reject', symbols: [{ name: 'SENDER_BLOCKLIST', stage: 'mail' }] } });
  });

  it('accepts senders on no list, and the null sender', async () => {
    for (const sender of ['x@evil.test', 'x@notbulk.test', '<>']) {
      const { s, mail } = await transaction(sender);
      expect(mail, sender).toEqual({ ok: true });
      expect(s.symbols()).toEqual([]);
    }
  });

  it('lets a global allow entry win over a global block', async () => {
    const { s, mail } = await transaction('good@spam.test');
    expect(mail).toEqual({ ok: true });
    expect(await s.rcptTo('u@b.test')).toEqual({ ok: true });
    expect(s.symbols().map((x) => [x.name, x.detail])).toEqual([['SENDER_ALLOWLIST', 'good@spam.test in the global sender-allow list']]);
  });

  it('lets a domain allow entry override a global block for that domain only', async () => {
    const { s, mail } = await transaction('Bad@evil.test');
    expect(mail).toEqual({ ok: true });
    expect(await s.rcptTo('u@a.test')).toEqual({ ok: true });
    const refused = await s.rcptTo('u@b.test');
    expect(refused).toMatchObject({ ok: false, reply: { code: 554 } });
    expect(refused.ok || refused.verdict.symbols.at(-1)).toMatchObject({ name: 'SENDER_BLOCKLIST', detail: 'bad@evil.test in the global sender-block list' });
    expect(s.symbols().map((x) => x.detail)).toEqual(['bad@evil.test in the a.test sender-allow list']);
  });

  it('applies a domain block to that domain\'s recipients only', async () => {
    const { s } = await transaction('x@b-only.test');
    expect(await s.rcptTo('u@b.test')).toMatchObject({ ok: false, reply: { code: 554 }, verdict: { symbols: [{ detail: 'x@b-only.test in the b.test sender-block list' }] } });
    expect(await s.rcptTo('u@a.test')).toEqual({ ok: true });
  });

  it('lets a domain IP allow entry override sender blocks, global and its own', async () => {
    const blockedSender = await transaction('x@spam.test', '192.0.2.50');
    expect(blockedSender.mail).toEqual({ ok: true });
    expect(await blockedSender.s.rcptTo('u@c.test')).toEqual({ ok: true });
    expect(await blockedSender.s.rcptTo('u@b.test')).toMatchObject({ ok: false });
    const domainBlocked = await transaction('x@c-only.test', '192.0.2.50');
    expect(await domainBlocked.s.rcptTo('u@c.test')).toEqual({ ok: true });
  });

  it('never lets a sender allow entry override an IP block (MAIL FROM is forgeable)', async () => {
    const { s } = await transaction('x@friend.test', '192.0.2.60');
    expect(await s.rcptTo('u@d.test')).toMatchObject({ ok: false, verdict: { symbols: [{ name: 'IP_BLOCKLIST' }] } });
  });
});
