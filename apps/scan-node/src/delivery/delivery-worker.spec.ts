import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveryResult, MessageEvent } from '@moat/proto/grpc';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newMessageId } from '../ids.js';
import type { Logger } from '../log.js';
import { PolicyStore } from '../policy/policy-store.js';
import { Spool, type SpoolMeta } from '../spool/spool.js';
import { DeliveryHolds } from './delivery-holds.js';
import { DeliveryWorker } from './delivery-worker.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A real SMTP server recording envelopes and bodies; `no@` recipients get 550, `later@` ones 451. */
async function server() {
  const received: { from: string; to: string[]; body: string }[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('no@')) return callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
      if (address.address.startsWith('later@')) return callback(Object.assign(new Error('4.2.0 try later'), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), body: Buffer.concat(chunks).toString() });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return { smtp, received, port: (smtp.server.address() as AddressInfo).port };
}

const until = async <T>(probe: () => T | undefined): Promise<T> => {
  for (let i = 0; i < 500; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
};

describe('DeliveryWorker: outbound mail and DSNs', () => {
  let dir: string;
  let mailbox: Awaited<ReturnType<typeof server>>;
  let internet: Awaited<ReturnType<typeof server>>;
  let worker: DeliveryWorker;
  let spool: Spool;
  let policies: PolicyStore;
  const clock = { ms: Date.parse('2026-01-01T01:00:00Z'), now: () => clock.ms };
  const messages: MessageEvent[] = [];
  const deliveries: { id: string; rcpt: string; result: DeliveryResult }[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'delivery-spec-'));
    [mailbox, internet] = await Promise.all([server(), server()]);
    policies = await PolicyStore.open(dir);
    clock.ms = Date.parse('2026-01-01T01:00:00Z');
    const json = JSON.stringify({
      domains: [
        { name: 'example.test', downstream: { host: '127.0.0.1', port: mailbox.port, tls: 'none' } },
        { name: 'held.test', downstream: { host: '127.0.0.1', port: mailbox.port, tls: 'none' }, holds: [{ kind: 'daily', at: '00:00', durationMinutes: 600, timeZone: 'UTC' }] },
      ],
      delivery: { retryScheduleSeconds: [1], maxAgeSeconds: 60 },
      outbound: { delivery: { smarthosts: [{ senderDomain: '*', host: '127.0.0.1', port: internet.port, tls: 'none' }] } },
    });
    await policies.apply({ version: 1, json, sha256: createHash('sha256').update(json).digest('hex'), createdAtMs: 0, author: 'spec', comment: '' });
    spool = await Spool.open(join(dir, 'spool'));
    messages.length = 0;
    deliveries.length = 0;
    worker = await newWorker();
  });

  const newWorker = async () => {
    const events = { message: (e: Omit<MessageEvent, 'nodeId'>) => messages.push({ ...e, nodeId: 'n' }), delivery: (id: string, rcpt: string, result: DeliveryResult) => deliveries.push({ id, rcpt, result }) };
    const holds = await DeliveryHolds.open({ policies, clock, file: join(dir, 'holds.json'), log: quiet });
    return new DeliveryWorker({ spool, policies, events, resolver: { query: () => Promise.reject(new Error('no DNS in this spec')) }, log: quiet, nodeName: 'node-1', holds });
  };

  afterEach(async () => {
    await worker?.stop();
    await Promise.all([mailbox, internet].map((s) => new Promise<void>((resolve) => s.smtp.close(() => resolve()))));
    await rm(dir, { recursive: true, force: true });
  });

  const submit = async (meta: Partial<SpoolMeta>, body = 'From: alice@example.test\r\nSubject: report\r\n\r\nbody\r\n') => {
    const full: SpoolMeta = { id: newMessageId(), receivedAtMs: Date.now(), mailFrom: 'alice@example.test', rcptTo: [], clientIp: '192.0.2.1', helo: 'c', action: 'deliver', score: 0, policyVersion: 1, direction: 'outbound', ...meta };
    const message = [Buffer.from(body)];
    worker.enqueue(await spool.put(full, message), message);
    return full;
  };

  it('delivers outbound recipients through the smarthost and tenant recipients to their downstream', async () => {
    await submit({ rcptTo: ['carol@remote.test', 'bob@example.test'] });
    await until(() => (internet.received.length > 0 && mailbox.received.length > 0 ? true : undefined));
    expect(internet.received[0]?.to).toEqual(['carol@remote.test']);
    expect(mailbox.received[0]?.to).toEqual(['bob@example.test']);
  });

  it('sends a tenant sender a DSN (null sender, to its downstream) for a 5xx, reported as a message of its own', async () => {
    const original = await submit({ rcptTo: ['no@remote.test', 'carol@remote.test'] });
    const dsn = await until(() => mailbox.received.find((m) => m.body.includes('multipart/report')));
    expect(dsn.from).toBe('');
    expect(dsn.to).toEqual(['alice@example.test']);
    expect(dsn.body).toContain('Final-Recipient: rfc822; no@remote.test');
    expect(dsn.body).not.toContain('Final-Recipient: rfc822; carol@remote.test');
    expect(deliveries.find((d) => d.id === original.id && d.rcpt === 'no@remote.test')?.result.status).toBe('bounced');
    expect(messages).toEqual([expect.objectContaining({ envelope: expect.objectContaining({ mailFrom: '', rcptTo: ['alice@example.test'] }), symbols: [expect.objectContaining({ name: 'DSN' })] })]);
  });

  it('sends a DSN when the message expires in the queue', async () => {
    await submit({ rcptTo: ['later@remote.test'], receivedAtMs: Date.now() - 120_000 });
    const dsn = await until(() => mailbox.received.find((m) => m.body.includes('multipart/report')));
    expect(dsn.body).toContain('Diagnostic-Code: smtp; expired: not delivered within 60 s');
  });

  it('never answers a DSN (null sender) with another', async () => {
    const original = await submit({ mailFrom: '', rcptTo: ['no@remote.test'] });
    await until(() => deliveries.find((d) => d.id === original.id));
    await new Promise((r) => setTimeout(r, 200));
    expect(mailbox.received).toEqual([]);
    expect(messages).toEqual([]);
  });

  it('reports a forwarded copy under the message it copies; its DSN goes to the original sender, not to the SRS address', async () => {
    const copy = await submit({ mailFrom: 'SRS0=ABCDEFGH=AA=sender.test=dave@example.test', rcptTo: ['no@remote.test', 'carol@remote.test'], copyOf: { of: 'ORIGINAL', rule: 'r', bounceTo: 'dave@sender.test' } });
    const dsn = await until(() => internet.received.find((m) => m.body.includes('multipart/report')));
    expect(dsn.to).toEqual(['dave@sender.test']);
    expect(dsn.body).toContain('To: <dave@sender.test>');
    expect(deliveries.map((d) => [d.id, d.rcpt, d.result.status])).toEqual(expect.arrayContaining([['ORIGINAL', 'no@remote.test', 'bounced'], ['ORIGINAL', 'carol@remote.test', 'delivered']]));
    expect(deliveries.some((d) => d.id === copy.id)).toBe(false);
  });

  it('sends no DSN for a copy whose bounces go nowhere (a bounce returned to its sender)', async () => {
    await submit({ mailFrom: '', rcptTo: ['no@remote.test'], copyOf: { of: 'ORIGINAL', rule: 'srs', bounceTo: '' } });
    await until(() => deliveries.find((d) => d.id === 'ORIGINAL'));
    await new Promise((r) => setTimeout(r, 200));
    expect(messages).toEqual([]);
  });

  describe('delivery hold windows', () => {
    const subjects = () => mailbox.received.map((m) => /Subject: (\S+)/.exec(m.body)?.[1]);
    const hold = (n: number) => submit({ direction: 'inbound', receivedAtMs: Date.parse('2026-01-01T00:30:00Z') + n, rcptTo: ['ops@held.test'] }, `Subject: h${n}\r\n\r\nheld\r\n`);

    it('parks mail for a domain inside its window, delivers other recipients, then the held mail in order when the window ends', async () => {
      for (const n of [3, 1, 2]) await hold(n);
      await submit({ direction: 'inbound', rcptTo: ['bob@example.test', 'ops@held.test'] }, 'Subject: mixed\r\n\r\nx\r\n');
      await until(() => (mailbox.received.length === 1 ? true : undefined));
      expect(mailbox.received[0]?.to).toEqual(['bob@example.test']);
      await new Promise((r) => setTimeout(r, 700));
      expect(mailbox.received).toHaveLength(1);
      expect(worker.holdReport()).toEqual([{ domain: 'held.test', messages: 4, bytes: expect.any(Number), oldestReceivedAtMs: Date.parse('2026-01-01T00:30:00Z') + 1, releaseAtMs: Date.parse('2026-01-01T10:00:00Z') }]);
      clock.ms = Date.parse('2026-01-01T10:00:00Z');
      await until(() => (mailbox.received.length === 5 ? true : undefined));
      expect(subjects()).toEqual(['mixed', 'h1', 'h2', 'h3', 'mixed']);
      expect(mailbox.received[4]?.to).toEqual(['ops@held.test']);
      // The spool entry goes once the delivery result is recorded, just after the server has the message.
      await until(() => (spool.count === 0 ? true : undefined));
    });

    it('an administrator release delivers at once and keeps the rest of that window open; the next window holds again', async () => {
      await hold(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(await worker.release('held.test')).toEqual({ messages: 1, windowEndMs: Date.parse('2026-01-01T10:00:00Z') });
      await until(() => (mailbox.received.length === 1 ? true : undefined));
      await hold(2);
      await until(() => (mailbox.received.length === 2 ? true : undefined));
      clock.ms = Date.parse('2026-01-02T01:00:00Z');
      await hold(3);
      await new Promise((r) => setTimeout(r, 200));
      expect(subjects()).toEqual(['h1', 'h2']);
      expect(worker.holdReport()).toEqual([expect.objectContaining({ domain: 'held.test', messages: 1 })]);
    });

    it('held mail survives a restart and is parked again from the spool', async () => {
      for (const n of [2, 1]) await hold(n);
      await new Promise((r) => setTimeout(r, 100));
      await worker.stop();
      spool = await Spool.open(join(dir, 'spool'));
      worker = await newWorker();
      for (const entry of (await spool.recover()).entries) worker.enqueue(entry);
      await new Promise((r) => setTimeout(r, 200));
      expect(mailbox.received).toEqual([]);
      expect(worker.holdReport()[0]?.messages).toBe(2);
      clock.ms = Date.parse('2026-01-01T12:00:00Z');
      await until(() => (mailbox.received.length === 2 ? true : undefined));
      expect(subjects()).toEqual(['h1', 'h2']);
    });
  });
});
