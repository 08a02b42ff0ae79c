import { MemoryFleetState } from '@moat/fleet-state';
import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { defaultChecks } from './index.js';

const policy = compilePolicy(
  parsePolicy({
    domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }],
    smtpChecks: {
      rateLimits: [
        { name: 'PER_SENDER', key: 'sender', limit: 2, windowSeconds: 60, action: 'reject' },
        { name: 'PER_RCPT_DOMAIN', key: 'recipientDomain', limit: 3, windowSeconds: 60 },
      ],
      mailBomb: { maxMessages: 4, windowSeconds: 60 },
    },
  }),
  1,
);

describe('rate control and mail-bomb defence', () => {
  it('refuses a sender over its limit at MAIL FROM with 550, counted across sessions', async () => {
    const pipeline = new Pipeline(defaultChecks(), { fleetState: new MemoryFleetState() });
    const mail = async (ip: string) => pipeline.session(policy, { clientIp: ip }).mailFrom('bulk@sender.test');
    expect(await mail('198.51.100.1')).toEqual({ ok: true });
    expect(await mail('198.51.100.2')).toEqual({ ok: true });
    expect(await mail('198.51.100.3')).toMatchObject({ ok: false, reply: { code: 550, message: '5.7.1 message rate of sender exceeded' }, verdict: { symbols: [{ name: 'RATE_PER_SENDER', detail: 'bulk@sender.test: 3 in 60 s (limit 2)' }] } });
    expect(await pipeline.session(policy, { clientIp: '198.51.100.3' }).mailFrom('other@sender.test')).toEqual({ ok: true });
  });

  it('temp-fails recipients of a domain over its limit, and one recipient flooded from anywhere', async () => {
    const pipeline = new Pipeline(defaultChecks(), { fleetState: new MemoryFleetState() });
    const session = pipeline.session(policy, { clientIp: '198.51.100.1' });
    await session.mailFrom('a@sender.test');
    const results = [];
    for (const rcpt of ['a@example.test', 'b@example.test', 'c@example.test', 'd@example.test']) results.push(await session.rcptTo(rcpt));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({ reply: { code: 450 }, verdict: { symbols: [{ name: 'RATE_PER_RCPT_DOMAIN' }] } });

    const bombPolicy = compilePolicy(parsePolicy({ domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }], smtpChecks: { mailBomb: { maxMessages: 2, windowSeconds: 60 } } }), 2);
    const bombed = new Pipeline(defaultChecks(), { fleetState: new MemoryFleetState() });
    const send = async (ip: string) => {
      const s = bombed.session(bombPolicy, { clientIp: ip });
      await s.mailFrom(`x@${ip}.sender.test`);
      return s.rcptTo('victim@example.test');
    };
    expect((await send('198.51.100.1')).ok).toBe(true);
    expect((await send('198.51.100.2')).ok).toBe(true);
    expect(await send('198.51.100.3')).toMatchObject({ ok: false, reply: { code: 450, message: '4.7.1 messages to this recipient exceeded, try again later' }, verdict: { symbols: [{ name: 'MAIL_BOMB' }] } });
  });

  it('counts messages per client address and per sender domain, each rule on its own counter', async () => {
    const perClient = compilePolicy(
      parsePolicy({
        domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }],
        smtpChecks: {
          rateLimits: [
            { name: 'PER_CLIENT', key: 'clientIp', limit: 2, windowSeconds: 60, action: 'tempfail' },
            { name: 'PER_DOMAIN', key: 'senderDomain', limit: 3, windowSeconds: 60, action: 'reject' },
          ],
        },
      }),
      3,
    );
    const pipeline = new Pipeline(defaultChecks(), { fleetState: new MemoryFleetState() });
    const mail = (ip: string, from: string) => pipeline.session(perClient, { clientIp: ip }).mailFrom(from);
    expect(await mail('198.51.100.1', 'a@one.test')).toEqual({ ok: true });
    expect(await mail('198.51.100.1', 'b@two.test')).toEqual({ ok: true });
    expect(await mail('198.51.100.1', 'c@three.test')).toMatchObject({ ok: false, reply: { code: 450, message: '4.7.1 message rate of client address exceeded, try again later' }, verdict: { symbols: [{ name: 'RATE_PER_CLIENT' }] } });
    expect(await mail('198.51.100.2', 'd@one.test')).toEqual({ ok: true });
    expect(await mail('198.51.100.3', 'e@ONE.test')).toEqual({ ok: true });
    expect(await mail('198.51.100.4', 'f@one.test')).toMatchObject({ ok: false, reply: { code: 550, message: '5.7.1 message rate of sender domain exceeded' }, verdict: { symbols: [{ name: 'RATE_PER_DOMAIN', detail: 'one.test: 4 in 60 s (limit 3)' }] } });
  });

  it('counts nothing for exempt loopback clients or without fleet state', async () => {
    const pipeline = new Pipeline(defaultChecks(), { fleetState: new MemoryFleetState() });
    for (let i = 0; i < 5; i++) expect(await pipeline.session(policy, { clientIp: '127.0.0.1' }).mailFrom('bulk@sender.test')).toEqual({ ok: true });
    const offline = new Pipeline(defaultChecks());
    for (let i = 0; i < 5; i++) expect(await offline.session(policy, { clientIp: '198.51.100.1' }).mailFrom('bulk@sender.test')).toEqual({ ok: true });
  });
});
