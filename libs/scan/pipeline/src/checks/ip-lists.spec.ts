import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { defaultChecks } from './index.js';

// ip-lists (global, connect) and domain-ip-lists (per recipient domain, rcpt) together: they share the rule
// that an allow entry wins, which crosses the two stages.
const policy = compilePolicy(
  parsePolicy({
    lists: { ipBlock: ['203.0.113.0/24', '198.51.100.9', '2001:db8:bad::/48'], ipAllow: ['203.0.113.7'], senderBlock: ['spam.test'] },
    domains: [
      { name: 'a.test', downstream: { host: '127.0.0.1' }, lists: { ipAllow: ['198.51.100.9'], ipBlock: ['192.0.2.66', '203.0.113.7'] } },
      { name: 'b.test', downstream: { host: '127.0.0.1' } },
    ],
  }),
  1,
);
const pipeline = new Pipeline(defaultChecks());

function session(clientIp: string) {
  return pipeline.session(policy, { clientIp });
}

describe('IP block and allow lists', () => {
  it('lets an unlisted client through without symbols', async () => {
    const s = session('192.0.2.1');
    expect(await s.connect()).toEqual({ ok: true });
    await s.mailFrom('x@sender.test');
    expect(await s.rcptTo('u@a.test')).toEqual({ ok: true });
    expect(s.symbols()).toEqual([]);
  });

  it.each(['203.0.113.5', '::ffff:203.0.113.5', '2001:db8:bad::25'])('refuses a globally blocked client %s at connect with 554 5.7.1', async (ip) => {
    const result = await session(ip).connect();
    expect(result).toMatchObject({ ok: false, reply: { code: 554, message: '5.7.1 client address blocked by policy' }, verdict: { action: 'reject' } });
    expect(result.ok || result.verdict.symbols).toEqual([{ name: 'IP_BLOCKLIST', score: 0, detail: `${ip} in the global ip-block list`, stage: 'connect' }]);
  });

  it('lets a global allow entry win over the block lists, IP and sender, global and per domain', async () => {
    const s = session('203.0.113.7');
    expect(await s.connect()).toEqual({ ok: true });
    expect(await s.mailFrom('x@spam.test')).toEqual({ ok: true });
    expect(await s.rcptTo('u@a.test')).toEqual({ ok: true });
    expect(s.symbols().map((x) => [x.name, x.detail])).toEqual([['IP_ALLOWLIST', '203.0.113.7 in the global ip-allow list']]);
  });

  it('lets a domain allow entry override a global block for that domain only', async () => {
    const s = session('198.51.100.9');
    expect(await s.connect()).toEqual({ ok: true });
    await s.mailFrom('x@sender.test');
    expect(await s.rcptTo('u@a.test')).toEqual({ ok: true });
    const refused = await s.rcptTo('u@b.test');
    expect(refused).toMatchObject({ ok: false, reply: { code: 554 } });
    expect(refused.ok || refused.verdict.symbols.at(-1)?.detail).toBe('198.51.100.9 in the global ip-block list');
    expect(s.envelope.rcptTo).toEqual(['u@a.test']);
    expect(s.symbols().map((x) => x.name)).toEqual(['IP_ALLOWLIST']);
  });

  it('applies a domain block to that domain\'s recipients only', async () => {
    const s = session('192.0.2.66');
    expect(await s.connect()).toEqual({ ok: true });
    await s.mailFrom('x@sender.test');
    const refused = await s.rcptTo('u@a.test');
    expect(refused).toMatchObject({ ok: false, reply: { code: 554 }, verdict: { symbols: [{ name: 'IP_BLOCKLIST', detail: '192.0.2.66 in the a.test ip-block list', stage: 'rcpt' }] } });
    expect(await s.rcptTo('u@b.test')).toEqual({ ok: true });
  });

  it('stays off when no list has an entry', async () => {
    const empty = compilePolicy(parsePolicy({ domains: [{ name: 'a.test', downstream: { host: '127.0.0.1' } }] }), 2);
    const s = pipeline.session(empty, { clientIp: '203.0.113.5' });
    expect(await s.connect()).toEqual({ ok: true });
    expect(s.symbols()).toEqual([]);
  });
});
