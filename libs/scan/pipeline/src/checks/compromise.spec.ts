import { accountSignsKey, parseAccountSigns } from '@moat/bus';
import { FleetStateUnavailable, MemoryFleetState, type FleetState } from '@moat/fleet-state';
import { parsePolicy, type PolicyInput } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { countMessage } from '../outbound/account-signs.js';
import { Pipeline } from '../pipeline.js';
import { defaultChecks } from './index.js';

const ALICE = 'alice@example.test';
const policyWith = (compromise: NonNullable<PolicyInput['outbound']>['compromise']) =>
  compilePolicy(
    parsePolicy({
      domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' }, accounts: ['alice', 'bob'] }],
      outbound: { accounts: [{ address: ALICE, canSend: true }], compromise },
      body: { regex: { rules: [{ name: 'PILLS', kind: 'block', on: 'body', pattern: 'cheap pills', score: 12 }] } },
      thresholds: { tag: 5, quarantine: 20, reject: 30 },
    }),
    1,
  );

async function send(pipeline: Pipeline, policy: ReturnType<typeof policyWith>, rcpts: string[], body = 'hello') {
  const s = pipeline.session(policy, { clientIp: '192.0.2.9', direction: 'outbound', authenticatedUser: ALICE });
  const mail = await s.mailFrom(ALICE);
  if (!mail.ok) return { stage: 'mail', code: mail.reply.code, symbols: mail.verdict.symbols.map((x) => x.name), action: mail.verdict.action };
  for (const rcpt of rcpts) await s.rcptTo(rcpt);
  const verdict = await s.data(Buffer.from(`From: ${ALICE}\r\nTo: ${rcpts.join(', ')}\r\nSubject: hi\r\n\r\n${body}\r\n`));
  return { stage: 'data', code: verdict.reply?.code, symbols: verdict.symbols.map((x) => x.name), action: verdict.action };
}

async function stored(fleet: FleetState) {
  const record = await fleet.accounts.get(accountSignsKey(ALICE));
  return record ? parseAccountSigns(record.value) : undefined;
}

describe('compromised-account signs', () => {
  it('throttle an account whose hourly volume goes over the floor, fleet-wide, with 451 4.7.1', async () => {
    const fleet = new MemoryFleetState();
    const policy = policyWith({ volume: { floor: 3 } });
    const a = new Pipeline(defaultChecks(), { fleetState: fleet });
    const b = new Pipeline(defaultChecks(), { fleetState: fleet });
    for (const pipeline of [a, b, a]) expect((await send(pipeline, policy, ['x@remote.test'])).action).toBe('deliver');
    const tripping = await send(b, policy, ['x@remote.test']);
    expect(tripping).toMatchObject({ stage: 'mail', code: 451, symbols: ['COMPROMISE_VOLUME', 'COMPROMISE_THROTTLED'] });
    expect(await send(a, policy, ['x@remote.test'])).toMatchObject({ stage: 'mail', code: 451, symbols: ['COMPROMISE_THROTTLED'] });
    expect(await stored(fleet)).toMatchObject({ state: 'throttle', sign: 'volume', trips: 1 });
  });

  it('hold an account that sends to many new domains, and not for domains it knew', async () => {
    const fleet = new MemoryFleetState();
    const policy = policyWith({ newDomains: { perHour: 3, action: 'hold' } });
    const pipeline = new Pipeline(defaultChecks(), { fleetState: fleet });
    expect((await send(pipeline, policy, ['a@one.test', 'b@two.test', 'bob@example.test'])).action).toBe('deliver');
    expect((await send(pipeline, policy, ['a@one.test', 'c@two.test'])).action).toBe('deliver');
    const tripping = await send(pipeline, policy, ['a@three.test', 'a@four.test']);
    expect(tripping).toMatchObject({ action: 'hold', symbols: expect.arrayContaining(['COMPROMISE_NEW_DOMAINS', 'COMPROMISE_HELD']) });
    expect(await send(pipeline, policy, ['a@one.test'])).toMatchObject({ action: 'hold', symbols: expect.arrayContaining(['COMPROMISE_HELD']) });
    expect((await stored(fleet))?.domains).toEqual(['one.test', 'two.test', 'three.test', 'four.test']);
  });

  it('hold an account after several spammy messages in an hour', async () => {
    const fleet = new MemoryFleetState();
    const policy = policyWith({ spamScore: { score: 10, messages: 2 } });
    const pipeline = new Pipeline(defaultChecks(), { fleetState: fleet });
    expect((await send(pipeline, policy, ['x@remote.test'], 'cheap pills')).action).toBe('tag');
    expect((await send(pipeline, policy, ['x@remote.test'])).action).toBe('deliver');
    expect(await send(pipeline, policy, ['x@remote.test'], 'cheap pills')).toMatchObject({ action: 'hold', symbols: expect.arrayContaining(['COMPROMISE_SPAM_SCORE', 'COMPROMISE_HELD']) });
  });

  it('do nothing when switched off, and let mail pass when the fleet state is away', async () => {
    const fleet = new MemoryFleetState();
    const off = policyWith({ enabled: false, volume: { floor: 1 } });
    const pipeline = new Pipeline(defaultChecks(), { fleetState: fleet });
    for (let i = 0; i < 3; i++) expect((await send(pipeline, off, ['x@remote.test'])).action).toBe('deliver');
    expect(await stored(fleet)).toBeUndefined();
    const away: FleetState = { ...fleet, accounts: { get: () => Promise.reject(new FleetStateUnavailable('no NATS connection')), create: () => Promise.resolve(false), update: () => Promise.resolve(false) } };
    const down = new Pipeline(defaultChecks(), { fleetState: away });
    expect(await send(down, policyWith({ volume: { floor: 1 } }), ['x@remote.test'])).toMatchObject({ action: 'deliver', symbols: expect.arrayContaining(['COMPROMISE_UNAVAILABLE']) });
  });

  it('weigh completed hours, empty ones too, into the usual rate', () => {
    const hour = 3_600_000;
    const start = { address: ALICE, state: 'none' as const, sign: '' as const, detail: '', sinceMs: 0, untilMs: 0, trips: 0, epoch: 0, baseline: 0, hour: 0, hourCount: 0, domains: [] };
    let signs = countMessage(start, 10 * hour, 2);
    for (let i = 0; i < 9; i++) signs = countMessage(signs, 10 * hour + 1000, 2);
    expect(signs).toMatchObject({ hour: 10, hourCount: 10, baseline: 0 });
    signs = countMessage(signs, 11 * hour, 2);
    expect(signs).toMatchObject({ hour: 11, hourCount: 1, baseline: 5 });
    signs = countMessage(signs, 13 * hour, 2);
    expect(signs.baseline).toBeCloseTo((0.5 * 5 + 0.5 * 1) * 0.5);
  });
});
