import { MemoryFleetState } from '@moat/fleet-state';
import { parsePolicy, type PolicyInput } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { defaultChecks } from './index.js';

const base: PolicyInput = {
  domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' }, accounts: ['alice', 'bob', 'carol'] }],
  outbound: {
    accounts: [
      { address: 'alice@example.test', canSend: true, aliases: ['sales@example.test'] },
      { address: 'bob@example.test', canSend: false },
    ],
    trustedNetworks: ['10.0.0.0/8'],
    quotas: { perUser: { messagesPerHour: 2 }, perDomain: { recipientsPerDay: 3 }, action: 'reject' },
  },
  thresholds: { tag: 5, quarantine: 10, reject: 15 },
};
const policy = compilePolicy(parsePolicy(base), 1);

const outbound = (pipeline: Pipeline, user?: string, compiled = policy) => pipeline.session(compiled, { clientIp: '192.0.2.9', direction: 'outbound', ...(user ? { authenticatedUser: user } : {}) });
const message = (from: string) => Buffer.from(`From: ${from}\r\nTo: carol@remote.test\r\nSubject: hi\r\n\r\nhello\r\n`);

describe('outbound sessions', () => {
  it('accept any recipient domain for an authenticated sender, still plainly named', async () => {
    const s = outbound(new Pipeline(defaultChecks()), 'alice@example.test');
    expect(await s.mailFrom('alice@example.test')).toEqual({ ok: true });
    expect(await s.rcptTo('carol@remote.test')).toEqual({ ok: true });
    expect(await s.rcptTo('user%other.test@remote.test')).toMatchObject({ ok: false, reply: { code: 550, message: '5.7.1 relaying denied' } });
    expect((await s.data(message('Alice <alice@example.test>'))).action).toBe('deliver');
  });

  it('refuse an envelope sender that is neither the user nor an alias (553 5.7.1), accept the alias', async () => {
    const pipeline = new Pipeline(defaultChecks());
    expect(await outbound(pipeline, 'alice@example.test').mailFrom('sales@example.test')).toEqual({ ok: true });
    expect(await outbound(pipeline, 'alice@example.test').mailFrom('ceo@example.test')).toMatchObject({
      ok: false,
      reply: { code: 553, message: '5.7.1 sender address <ceo@example.test> not owned by authenticated user alice@example.test' },
      verdict: { symbols: [{ name: 'SENDER_MISMATCH' }] },
    });
  });

  it('refuse an account not designated as a sender', async () => {
    expect(await outbound(new Pipeline(defaultChecks()), 'bob@example.test').mailFrom('bob@example.test')).toMatchObject({ ok: false, reply: { code: 550, message: '5.7.1 bob@example.test may not send mail' } });
  });

  it('refuse a From header of someone else at DATA (550 5.7.1), and an ambiguous one', async () => {
    for (const from of ['The CEO <ceo@example.test>', 'alice@example.test, ceo@example.test']) {
      const s = outbound(new Pipeline(defaultChecks()), 'alice@example.test');
      await s.mailFrom('alice@example.test');
      await s.rcptTo('carol@remote.test');
      const verdict = await s.data(message(from));
      expect(verdict).toMatchObject({ action: 'reject', reply: { code: 550, message: '5.7.1 From header address not owned by authenticated user alice@example.test' } });
      expect(verdict.symbols.map((x) => x.name)).toContain('FROM_MISMATCH');
    }
  });

  it('let the sender rules be turned off', async () => {
    const relaxed = compilePolicy(parsePolicy({ ...base, outbound: { ...base.outbound, senderMatch: { envelope: false, header: false } } }), 2);
    const s = outbound(new Pipeline(defaultChecks()), 'alice@example.test', relaxed);
    expect(await s.mailFrom('ceo@example.test')).toEqual({ ok: true });
    await s.rcptTo('carol@remote.test');
    expect((await s.data(message('ceo@example.test'))).action).toBe('deliver');
  });

  it("refuse a trusted server's sender outside the tenant's domains", async () => {
    const s = outbound(new Pipeline(defaultChecks()));
    expect(await s.mailFrom('someone@example.test')).toEqual({ ok: true });
    expect(await outbound(new Pipeline(defaultChecks())).mailFrom('someone@elsewhere.test')).toMatchObject({ ok: false, reply: { code: 550 }, verdict: { symbols: [{ name: 'RELAY_SENDER_FOREIGN' }] } });
  });

  it('count messages per user and recipients per sender domain against their quotas', async () => {
    const pipeline = new Pipeline(defaultChecks(), { fleetState: new MemoryFleetState() });
    const mail = () => outbound(pipeline, 'alice@example.test').mailFrom('alice@example.test');
    expect(await mail()).toEqual({ ok: true });
    expect(await mail()).toEqual({ ok: true });
    expect(await mail()).toMatchObject({ ok: false, reply: { code: 550, message: '5.7.1 outbound quota of user alice@example.test (2 messages per hour) exceeded' }, verdict: { symbols: [{ name: 'QUOTA_USER_MESSAGES_HOUR' }] } });

    const trusted = outbound(pipeline);
    await trusted.mailFrom('carol@example.test');
    for (const rcpt of ['a@remote.test', 'b@remote.test', 'c@remote.test']) expect(await trusted.rcptTo(rcpt)).toEqual({ ok: true });
    expect(await trusted.rcptTo('d@remote.test')).toMatchObject({ ok: false, verdict: { symbols: [{ name: 'QUOTA_DOMAIN_RECIPIENTS_DAY' }] } });
  });

  it('are judged by the outbound thresholds when the policy sets them', async () => {
    const strict = compilePolicy(parsePolicy({ ...base, outbound: { ...base.outbound, thresholds: { tag: 0, quarantine: 50, reject: 60 } } }), 3);
    expect(strict.outbound.thresholds.tag).toBe(0);
    expect(policy.outbound.thresholds).toEqual(policy.thresholds);
    const s = outbound(new Pipeline(defaultChecks()), 'alice@example.test', strict);
    await s.mailFrom('alice@example.test');
    await s.rcptTo('carol@remote.test');
    expect((await s.data(message('alice@example.test'))).action).toBe('tag');
  });

  it('do not run inbound-only checks, and inbound sessions still refuse other domains', async () => {
    const pipeline = new Pipeline(defaultChecks());
    const inbound = pipeline.session(policy, { clientIp: '192.0.2.9' });
    await inbound.mailFrom('alice@example.test');
    expect(await inbound.rcptTo('carol@remote.test')).toMatchObject({ ok: false, reply: { code: 550, message: '5.7.1 relaying denied' } });
  });
});
