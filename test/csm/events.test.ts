import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEventsStream } from '@moat/bus';
import { Action, Direction } from '@moat/proto/grpc';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from './support/api.js';
import { messageEvent, publishDelivery, publishMessage } from './support/events.js';
import { buildCsm, startCsm, startNats, removeTempDirs, tempDir, type Csm, type NatsServer } from './support/processes.js';

interface Stats {
  total: number;
  byDirectionAction: { direction: string; action: string; count: number }[];
  daily: { day: string; direction: string; action: string; count: number }[];
}
interface MailList {
  messages: { id: string; action: string; deliveryStatus: string; released: boolean; subject: string; rcptTo: string[] }[];
}

// Events from JetStream into ClickHouse (chdb) through the real CSM process: one row per message, whatever the
// redeliveries, duplicates and restarts.
describe('CSM event ingestion', () => {
  let nats: NatsServer;
  let csm: Csm;
  let nc: NatsConnection;
  let api: CsmApi;
  let dataDir: string;
  const run = Date.now().toString(36);
  const id = (n: number) => `${run}-msg-${n}`;

  beforeAll(async () => {
    buildCsm();
    nats = await startNats();
    dataDir = await tempDir('moat-csm-events-');
    csm = await startCsm({ natsUrl: nats.url, dataDir });
    api = await CsmApi.withCliToken(csm);
    nc = await connect({ servers: nats.url });
    // Nodes create the stream too, so events published before the CSM's consumer exists are kept.
    await ensureEventsStream(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await csm?.stop();
    await nats?.stop();
    await removeTempDirs();
  });

  const total = async () => (await api.get<Stats>('/api/stats')).total;

  it('stores exactly one row per message, also for events published twice under different Nats-Msg-Ids', async () => {
    for (let n = 0; n < 20; n++) await publishMessage(nc, messageEvent(id(n), n % 5 === 0 ? { action: Action.ACTION_QUARANTINE } : {}));
    // Replays that JetStream cannot de-duplicate (another Nats-Msg-Id), one of them inside the same batch.
    await publishMessage(nc, messageEvent(id(3)), `replay-${id(3)}`);
    await publishMessage(nc, messageEvent(id(7)), `replay-${id(7)}`);
    await waitFor('20 messages in ClickHouse', async () => ((await total()) === 20 ? true : undefined));

    const stats = await api.get<Stats>('/api/stats');
    expect(stats.byDirectionAction).toEqual([
      { direction: 'inbound', action: 'deliver', count: 16 },
      { direction: 'inbound', action: 'quarantine', count: 4 },
    ]);
    expect(stats.daily.reduce((sum, d) => sum + d.count, 0)).toBe(20);
    const all = await api.get<MailList>(`/api/mail?limit=1000&subject=${run}`);
    expect(all.messages).toHaveLength(20);
    expect(new Set(all.messages.map((m) => m.id)).size).toBe(20);
  });

  it('searches by verdict, sender, recipient and subject, and shows one message with its symbols', async () => {
    const quarantined = await api.get<MailList>('/api/mail?verdict=quarantine');
    expect(quarantined.messages.map((m) => m.id).sort()).toEqual([id(0), id(10), id(15), id(5)].sort());
    const bySender = await api.get<MailList>(`/api/mail?sender=SENDER-${id(4)}`);
    expect(bySender.messages.map((m) => m.id)).toEqual([id(4)]);
    const byRcpt = await api.get<MailList>('/api/mail?rcpt=alice@&limit=3');
    expect(byRcpt.messages).toHaveLength(3);
    const none = await api.get<MailList>(`/api/mail?subject=${encodeURIComponent("' OR 1=1 --")}`);
    expect(none.messages).toHaveLength(0);
    const future = await api.get<MailList>(`/api/mail?from=${new Date(Date.now() + 3600_000).toISOString()}`);
    expect(future.messages).toHaveLength(0);

    const detail = await api.get<{ id: string; symbols: { name: string; score: number }[]; attachments: { name: string; size: number }[]; tls: boolean; policyVersion: number }>(
      `/api/mail/${id(1)}`,
    );
    expect(detail).toMatchObject({ id: id(1), tls: true, policyVersion: 1 });
    // Each symbol comes with a sentence of what it means (a general one for symbols without their own).
    expect(detail.symbols).toEqual([
      { name: 'IP_ALLOW', score: -1, detail: '192.0.2.0/24', stage: 'connect', meaning: expect.any(String) },
      { name: 'SUBJECT_TEST', score: 2.5, detail: 'matched', stage: 'data', meaning: 'A check fired; its detail says what it found.' },
    ]);
    expect(detail.attachments).toEqual([{ name: 'report.pdf', declaredType: 'application/pdf', detectedType: 'application/pdf', size: 1234, sha256: 'ab'.repeat(32) }]);
    expect((await api.call('GET', '/api/mail/no-such-id')).status).toBe(404);
    expect((await api.call('GET', '/api/mail?verdict=maybe')).status).toBe(400);
  });

  it('shows the latest delivery state from DeliveryEvents', async () => {
    await publishDelivery(nc, { messageId: id(2), nodeId: 'node-test', recipient: 'alice@example.test', result: { status: 'delivered', downstream: 'mx.example.test:25', response: '250 ok', attempts: 1, atMs: Date.now(), tlsVersion: 'TLSv1.3' } });
    await waitFor('delivered state', async () => {
      const found = await api.get<MailList>(`/api/mail?sender=sender-${id(2)}@`);
      return found.messages[0]?.deliveryStatus === 'delivered' ? true : undefined;
    });
    expect(await total()).toBe(20);
  });

  it('keeps one row per message across a CSM restart and replays of old events', async () => {
    await csm.stop();
    await publishMessage(nc, messageEvent(id(20), { direction: Direction.DIRECTION_OUTBOUND }));
    await publishMessage(nc, messageEvent(id(1)), `after-restart-${id(1)}`);
    csm = await startCsm({ natsUrl: nats.url, dataDir });
    api = await CsmApi.withCliToken(csm);
    await waitFor('the outbound message', async () => ((await total()) === 21 ? true : undefined));
    await publishMessage(nc, messageEvent(id(11)), `late-${id(11)}`);
    await publishMessage(nc, messageEvent(id(21)));
    await waitFor('22 messages', async () => ((await total()) === 22 ? true : undefined));
    const stats = await api.get<Stats>('/api/stats');
    expect(stats.byDirectionAction).toContainEqual({ direction: 'outbound', action: 'deliver', count: 1 });
  });
});
