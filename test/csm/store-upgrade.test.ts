import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEventsStream } from '@moat/bus';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from './support/api.js';
import { messageEvent, publishMessage } from './support/events.js';
import { buildCsm, REPO, removeTempDirs, startCsm, startNats, tempDir, type Csm, type NatsServer } from './support/processes.js';

// The tables as a CSM before the monthly layout made them (daily partitions, messages ordered by id, read
// with FINAL), with a column a later release added by ALTER.
const OLD_MESSAGES = `
CREATE TABLE messages (
  id String, node_id LowCardinality(String), tenant LowCardinality(String), received_at DateTime64(3, 'UTC'),
  direction LowCardinality(String), mail_from String, rcpt_to Array(String), client_ip String, client_hostname String,
  helo String, tls Bool, tls_version LowCardinality(String), tls_cipher LowCardinality(String), tls_server_name String,
  authenticated_user String, subject String, header_from String, header_to String, header_message_id String,
  header_date String, reply_to String, action LowCardinality(String), score Float64,
  symbols Nested(name LowCardinality(String), score Float64, detail String, stage LowCardinality(String)),
  attachments Nested(name String, declared_type String, detected_type String, size UInt64, sha256 String),
  urls Array(String), delivery_status LowCardinality(String), delivery_downstream String, delivery_response String,
  delivery_attempts UInt32, delivery_at DateTime64(3, 'UTC'), session_ms UInt32, scan_ms UInt32, spool_ms UInt32,
  policy_version UInt64, size_bytes UInt64, smtp_reply String, inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at) PARTITION BY toYYYYMMDD(received_at) ORDER BY id`;
const OLD_DELIVERIES = `
CREATE TABLE deliveries (
  message_id String, node_id LowCardinality(String), recipient String, status LowCardinality(String), downstream String,
  response String, attempts UInt32, at DateTime64(3, 'UTC'), tls_version LowCardinality(String),
  inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at) PARTITION BY toYYYYMMDD(at) ORDER BY (message_id, status, attempts, recipient)`;

/** Runs STATEMENTS on the embedded store at DIR in a child process (chdb is not loaded into the test worker); the last one's CSV. */
function chdb(dir: string, statements: string[]): string {
  const script = `const { Session } = require('chdb'); const s = new Session(process.argv[1]); let out = '';
    for (const q of JSON.parse(process.argv[2])) out = s.query(q, 'CSV'); s.close(); process.stdout.write(out);`;
  return execFileSync(process.execPath, ['-e', script, dir, JSON.stringify(statements)], { cwd: REPO, encoding: 'utf8' });
}

interface Stats {
  total: number;
  byDirectionAction: { direction: string; action: string; count: number }[];
  daily: { day: string; count: number }[];
}
interface MailList {
  messages: { id: string; subject: string; deliveryStatus: string }[];
}

describe('CSM on a store of the former layout', () => {
  let nats: NatsServer;
  let csm: Csm;
  let nc: NatsConnection;
  let api: CsmApi;
  let dataDir: string;
  let store: string;
  const day = (n: number) => `2026-03-0${n} 10:00:00.000`;

  beforeAll(async () => {
    buildCsm();
    dataDir = await tempDir('moat-csm-upgrade-');
    store = join(dataDir, 'clickhouse');
    const row = (id: string, at: string, action: string, insertedAt: string) =>
      `INSERT INTO messages (id, node_id, received_at, direction, mail_from, rcpt_to, subject, action, score, delivery_status, inserted_at, extra)
       VALUES ('${id}', 'n1', '${at}', 'inbound', 'a@remote.test', ['alice@example.test'], 'old ${id}', '${action}', 1, 'queued', '${insertedAt}', 'kept ${id}')`;
    chdb(store, [
      OLD_MESSAGES,
      OLD_DELIVERIES,
      `ALTER TABLE messages ADD COLUMN extra String`,
      row('OLD1', day(1), 'deliver', '2026-03-01 10:00:01'),
      row('OLD2', day(2), 'quarantine', '2026-03-02 10:00:01'),
      row('OLD3', day(3), 'deliver', '2026-03-03 10:00:01'),
      // A redelivered copy not merged yet: the old layout hid it with FINAL.
      row('OLD2', day(2), 'quarantine', '2026-03-02 10:00:02'),
      `INSERT INTO deliveries (message_id, node_id, recipient, status, attempts, at) VALUES ('OLD1', 'n1', 'alice@example.test', 'delivered', 1, '${day(1)}')`,
    ]);
    nats = await startNats();
    csm = await startCsm({ natsUrl: nats.url, dataDir });
    api = await CsmApi.withCliToken(csm);
    nc = await connect({ servers: nats.url });
    await ensureEventsStream(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await csm?.stop();
    await nats?.stop();
    await removeTempDirs();
  });

  it('copies every message and delivery into the new layout, each message once', async () => {
    const march = 'from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z';
    const stats = await api.get<Stats>(`/api/stats?${march}`);
    expect(stats.total).toBe(3);
    expect(stats.byDirectionAction).toEqual([
      { direction: 'inbound', action: 'deliver', count: 2 },
      { direction: 'inbound', action: 'quarantine', count: 1 },
    ]);
    expect(stats.daily.map((d) => [d.day, d.count])).toEqual([['2026-03-01', 1], ['2026-03-02', 1], ['2026-03-03', 1]]);
    const list = await api.get<MailList>(`/api/mail?${march}`);
    expect(list.messages.map((m) => m.id)).toEqual(['OLD3', 'OLD2', 'OLD1']);
    expect(list.messages[2]?.deliveryStatus).toBe('delivered');
    expect(await api.get<{ id: string; subject: string }>('/api/mail/OLD2')).toMatchObject({ id: 'OLD2', subject: 'old OLD2' });
    // Whole hours: the breakdowns counted ahead, filled from the old rows.
    expect((await api.get<{ rows: unknown[] }>(`/api/stats?by=domain&${march}`)).rows).toEqual([
      { key: 'example.test', action: 'deliver', count: 2 },
      { key: 'example.test', action: 'quarantine', count: 1 },
    ]);
    expect((await api.get<{ rows: unknown[] }>(`/api/stats?by=reason&${march}`)).rows).toEqual([{ key: 'score', action: 'quarantine', count: 1 }]);
    // The stored addresses, filled from the old rows: sender and recipient searches find them.
    expect((await api.get<MailList>(`/api/mail?sender=A%40Remote.test&${march}`)).messages.map((m) => m.id)).toEqual(['OLD3', 'OLD2', 'OLD1']);
    expect((await api.get<MailList>(`/api/mail?rcpt=alice%40example.test&${march}`)).messages.map((m) => m.id)).toEqual(['OLD3', 'OLD2', 'OLD1']);
    expect((await api.get<MailList>(`/api/mail?sender=b%40remote.test&${march}`)).messages).toEqual([]);
  });

  it('takes new events after the upgrade, and counts them in the hourly totals', async () => {
    await publishMessage(nc, messageEvent('NEW1'));
    await waitFor('the new message', async () => ((await api.get<Stats>('/api/stats')).total === 4 ? true : undefined));
    // A replay of an old message with another time is not stored again.
    await publishMessage(nc, messageEvent('OLD1'), 'replay-OLD1');
    await publishMessage(nc, messageEvent('NEW2'));
    await waitFor('the second new message', async () => ((await api.get<Stats>('/api/stats')).total === 5 ? true : undefined));
    expect((await api.get<MailList>('/api/mail?subject=OLD1&from=0')).messages).toHaveLength(1);
  });

  it('leaves the tables in the monthly layout with the added column and its values', async () => {
    await csm.stop();
    const layout = chdb(store, [
      `SELECT name, partition_key, sorting_key FROM system.tables WHERE database = currentDatabase() AND name IN ('messages', 'deliveries', 'messages_migrating', 'deliveries_migrating') ORDER BY name`,
    ]);
    expect(layout.trim().split('\n')).toEqual([
      '"deliveries","toYYYYMM(at)","message_id, status, attempts, recipient"',
      '"messages","toYYYYMM(received_at)","received_at, id"',
    ]);
    expect(chdb(store, [`SELECT id, extra FROM messages WHERE startsWith(id, 'OLD') ORDER BY id`]).trim().split('\n')).toEqual([
      '"OLD1","kept OLD1"',
      '"OLD2","kept OLD2"',
      '"OLD3","kept OLD3"',
    ]);
    csm = await startCsm({ natsUrl: nats.url, dataDir });
    api = await CsmApi.withCliToken(csm);
    expect((await api.get<Stats>('/api/stats')).total).toBe(5);
  });
});
