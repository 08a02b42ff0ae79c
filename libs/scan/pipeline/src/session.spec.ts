import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import type { Check, ScanContext, StageCheck } from './check.js';
import { compilePolicy } from './compile-policy.js';
import { Pipeline } from './pipeline.js';
import type { Stage } from './types.js';

const policy = compilePolicy(parsePolicy({ domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }, { name: 'other.test', downstream: { host: '127.0.0.1' } }] }), 3);
const RAW = Buffer.from('From: a@sender.test\r\nTo: b@example.test\r\nSubject: hi\r\n\r\nhello\r\n');

/** A check that records one symbol at its stage, so the tests can see which stages ran. */
function marker<S extends Stage>(stage: S, score = 1): StageCheck<S> {
  const name = `MARK_${stage.toUpperCase()}`;
  return { name: name.toLowerCase(), stage, run: (ctx: ScanContext<S>) => ctx.results.add(name, score, stage) };
}

describe('ScanSession', () => {
  it('runs each stage\'s checks and keeps the stage on each symbol', async () => {
    const session = new Pipeline([marker('connect'), marker('helo'), marker('mail'), marker('rcpt'), marker('data')]).session(policy, { clientIp: '192.0.2.1' });
    expect(await session.connect()).toEqual({ ok: true });
    expect(await session.helo('client.test')).toEqual({ ok: true });
    expect(await session.mailFrom('<a@sender.test>')).toEqual({ ok: true });
    expect(await session.rcptTo('<b@example.test>')).toEqual({ ok: true });
    const verdict = await session.data(RAW);
    expect(verdict.symbols.map((s) => [s.name, s.stage])).toEqual([
      ['MARK_CONNECT', 'connect'],
      ['MARK_HELO', 'helo'],
      ['MARK_MAIL', 'mail'],
      ['MARK_RCPT', 'rcpt'],
      ['MARK_DATA', 'data'],
    ]);
    expect(verdict).toMatchObject({ action: 'tag', score: 5, recipientDomains: ['example.test'], headers: { subject: 'hi' } });
    expect(session.envelope).toEqual({ clientIp: '192.0.2.1', helo: 'client.test', mailFrom: 'a@sender.test', rcptTo: ['b@example.test'] });
  });

  it('turns a throwing check into CHECK_ERROR and a tempfail, never a pass', async () => {
    const boom: Check = { name: 'boom', stage: 'data', run: () => { throw new Error('engine exploded'); } };
    const session = new Pipeline([boom, marker('data', -100)]).session(policy, { clientIp: '192.0.2.1' });
    await session.mailFrom('a@sender.test');
    await session.rcptTo('b@example.test');
    const verdict = await session.data(RAW);
    expect(verdict).toMatchObject({ action: 'tempfail', reply: { code: 451 } });
    expect(verdict.symbols).toEqual([{ name: 'CHECK_ERROR', score: 0, detail: 'boom: engine exploded', stage: 'data' }]);
  });

  it('handles a rejected promise the same way, and answers 421 at connect', async () => {
    const boom: Check = { name: 'async_boom', stage: 'connect', run: () => Promise.reject(new Error('timeout')) };
    const session = new Pipeline([boom]).session(policy, { clientIp: '192.0.2.1' });
    const result = await session.connect();
    expect(result).toMatchObject({ ok: false, reply: { code: 421 }, verdict: { action: 'tempfail' } });
    // A refused connection stays refused whatever the client sends next.
    expect(await session.mailFrom('a@sender.test')).toMatchObject({ ok: false, reply: { code: 421 } });
  });

  it('defers only the recipient whose check threw', async () => {
    const flaky: Check = {
      name: 'flaky',
      stage: 'rcpt',
      run: (ctx) => {
        if (ctx.rcpt.address.startsWith('bad')) throw new Error('lookup failed');
      },
    };
    const session = new Pipeline([flaky]).session(policy, { clientIp: '192.0.2.1' });
    await session.mailFrom('a@sender.test');
    expect(await session.rcptTo('bad@example.test')).toMatchObject({ ok: false, reply: { code: 451 } });
    expect(await session.rcptTo('good@other.test')).toEqual({ ok: true });
    const verdict = await session.data(RAW);
    expect(verdict).toMatchObject({ action: 'deliver', symbols: [], recipientDomains: ['other.test'] });
    expect(session.envelope.rcptTo).toEqual(['good@other.test']);
  });

  it('runs the rest of a stage after an accepting forced action, and stops it at a refusal', async () => {
    const quarantine: Check = { name: 'q', stage: 'mail', run: (ctx) => ctx.results.setAction('quarantine') };
    const session = new Pipeline([quarantine, marker('mail'), marker('data')]).session(policy, { clientIp: '192.0.2.1' });
    expect(await session.mailFrom('a@sender.test')).toEqual({ ok: true });
    await session.rcptTo('b@example.test');
    const verdict = await session.data(RAW);
    expect(verdict.action).toBe('quarantine');
    expect(verdict.symbols.map((s) => s.name)).toEqual(['MARK_MAIL', 'MARK_DATA']);

    const refuse: Check = { name: 'r', stage: 'mail', run: (ctx) => ctx.results.reject({ code: 554, message: '5.7.1 no' }) };
    const refusing = new Pipeline([refuse, marker('mail')]).session(policy, { clientIp: '192.0.2.1' });
    expect(await refusing.mailFrom('a@sender.test')).toMatchObject({ ok: false, reply: { code: 554 } });
    expect(refusing.symbols().map((s) => s.name)).toEqual([]);
  });

  it('keeps connection findings across transactions and forgets the transaction on reset', async () => {
    const session = new Pipeline([marker('connect'), marker('mail')]).session(policy, { clientIp: '192.0.2.1' });
    await session.connect();
    await session.mailFrom('a@sender.test');
    await session.rcptTo('b@example.test');
    expect(session.symbols().map((s) => s.name)).toEqual(['MARK_CONNECT', 'MARK_MAIL']);
    session.reset();
    expect(session.symbols().map((s) => s.name)).toEqual(['MARK_CONNECT']);
    expect(session.envelope.rcptTo).toEqual([]);
    expect(session.envelope.mailFrom).toBeUndefined();
    await session.mailFrom('c@sender.test');
    expect(session.symbols().map((s) => s.name)).toEqual(['MARK_CONNECT', 'MARK_MAIL']);
  });

  it('replaces the findings of an earlier HELO when the client greets again (EHLO after STARTTLS)', async () => {
    const session = new Pipeline([marker('connect'), marker('helo')]).session(policy, { clientIp: '192.0.2.1' });
    await session.connect();
    await session.helo('first.test');
    await session.helo('second.test');
    expect(session.symbols().map((s) => s.name)).toEqual(['MARK_CONNECT', 'MARK_HELO']);
    expect(session.envelope.helo).toBe('second.test');
  });

  it('skips checks that the policy turns off, deciding once per policy', async () => {
    let asked = 0;
    const gated: Check = {
      name: 'gated',
      stage: 'connect',
      enabled: (p) => {
        asked++;
        return p.hasIpLists;
      },
      run: (ctx) => ctx.results.add('GATED', 1, ''),
    };
    const pipeline = new Pipeline([gated]);
    for (let i = 0; i < 3; i++) {
      const session = pipeline.session(policy, { clientIp: '192.0.2.1' });
      await session.connect();
      expect(session.symbols()).toEqual([]);
    }
    expect(asked).toBe(1);
    const withLists = compilePolicy(parsePolicy({ lists: { ipBlock: ['198.51.100.0/24'] } }), 4);
    const session = pipeline.session(withLists, { clientIp: '192.0.2.1' });
    await session.connect();
    expect(session.symbols().map((s) => s.name)).toEqual(['GATED']);
  });
});
