import { Action, Direction, Envelope, type MessageEvent } from '@moat/proto/grpc';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureEventsStream } from '@moat/bus';
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMoat } from '../harness/moat-cli.js';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from './support/api.js';
import { messageEvent, publishMessage } from './support/events.js';
import { buildCsm, removeTempDirs, startCsm, startNats, tempDir, type Csm, type NatsServer } from './support/processes.js';

interface Dashboard {
  fromMs: number;
  toMs: number;
  bucket: string;
  bucketStarts: number[];
  buckets: { startMs: number; direction: string; category: string; count: number }[];
  totals: { direction: string; category: string; count: number }[];
  total: number;
  tops: Record<string, { key: string; count: number }[]>;
}
interface Breakdown {
  by: string;
  total: number;
  rows: { key: string; action: string; count: number }[];
}

const HOUR = 3_600_000;

// The dashboard's aggregates (F13) and the statistics breakdowns (F16) through the real CSM (NATS JetStream
// events, chdb): eleven messages, one or more of each category, in two hours; every count the dashboard gives
// is the number of messages the mail search finds for the same conditions and range.
describe('dashboard and statistics', () => {
  let nats: NatsServer;
  let csm: Csm;
  let nc: NatsConnection;
  let api: CsmApi;
  let dataDir: string;
  const run = Date.now().toString(36);
  const hour = Math.floor(Date.now() / HOUR) * HOUR;
  const range = { from: hour - 3 * HOUR, to: hour };
  const inRange = `from=${range.from}&to=${range.to}`;

  const event = (n: number, hoursBack: number, overrides: Partial<MessageEvent>) => messageEvent(`${run}-${n}`, { receivedAtMs: hour - hoursBack * HOUR + n * 1000, symbols: [], attachments: [], ...overrides });
  const envelope = (mailFrom: string, rcpt: string, clientIp = '192.0.2.7') => Envelope.fromPartial({ mailFrom, rcptTo: [rcpt], clientIp, helo: 'mx.remote.test', tls: true });
  const symbol = (name: string, detail = '') => ({ name, score: 5, detail, stage: 'data' });

  beforeAll(async () => {
    buildCsm();
    nats = await startNats();
    dataDir = await tempDir('moat-csm-dashboard-');
    csm = await startCsm({ natsUrl: nats.url, dataDir });
    api = await CsmApi.withCliToken(csm);
    nc = await connect({ servers: nats.url });
    await ensureEventsStream(nc);
    const events = [
      ...[0, 1, 2].map((n) => event(n, 2, { envelope: envelope('News@Remote.test', 'alice@example.test') })),
      event(3, 2, { envelope: envelope('friend@remote.test', 'alice@example.test', '198.51.100.9') }),
      ...[4, 5].map((n) => event(n, 2, { action: Action.ACTION_QUARANTINE, symbols: [symbol('BAYES_SPAM', '0.99')], envelope: envelope('spam@junk.test', 'bob@example.test', '203.0.113.5') })),
      event(6, 1, { action: Action.ACTION_QUARANTINE, symbols: [symbol('AV_VIRUS', 'invoice.exe: clamav: Eicar-Test-Signature')], envelope: envelope('billing@junk.test', 'alice@example.test', '203.0.113.5') }),
      event(7, 1, { action: Action.ACTION_REJECT, symbols: [symbol('ATTACHMENT_BLOCKED_EXTENSION', 'a.js'), symbol('RANSOMWARE', 'ATTACHMENT_BLOCKED_EXTENSION')], envelope: envelope('drop@junk.test', 'alice@example.test', '203.0.113.5') }),
      event(8, 1, { direction: Direction.DIRECTION_OUTBOUND, action: Action.ACTION_HOLD, symbols: [symbol('DLP_RRN', '900101-1******')], envelope: envelope('alice@example.test', 'hr@partner.test', '10.0.0.5') }),
      event(9, 1, { action: Action.ACTION_REJECT, symbols: [symbol('RCPT_UNKNOWN', 'nobody@example.test')], envelope: envelope('x@remote.test', 'nobody@example.test', '203.0.113.5') }),
      event(10, 1, { direction: Direction.DIRECTION_OUTBOUND, envelope: envelope('bob@example.test', 'partner@partner.test', '10.0.0.5') }),
    ];
    for (const e of events) await publishMessage(nc, e);
    await waitFor('11 messages in ClickHouse', async () => ((await api.get<{ messages: unknown[] }>(`/api/mail?subject=${run}&limit=100`)).messages.length === 11 ? true : undefined));
  });

  afterAll(async () => {
    await nc?.close();
    await csm?.stop();
    await nats?.stop();
    await removeTempDirs();
  });

  it('counts a range per hour, direction and category, with empty hours listed', async () => {
    const d = await api.get<Dashboard>(`/api/dashboard?${inRange}`);
    expect(d).toMatchObject({ fromMs: range.from, toMs: range.to, bucket: 'hour', total: 11 });
    expect(d.bucketStarts).toEqual([hour - 3 * HOUR, hour - 2 * HOUR, hour - HOUR]);
    expect(d.buckets.filter((b) => b.startMs === hour - 3 * HOUR)).toEqual([]);
    expect(d.buckets).toContainEqual({ startMs: hour - 2 * HOUR, direction: 'inbound', category: 'normal', count: 4 });
    const totals = Object.fromEntries(d.totals.map((t) => [`${t.direction} ${t.category}`, t.count]));
    expect(totals).toEqual({
      'inbound normal': 4,
      'inbound spam': 2,
      'inbound virus': 1,
      'inbound ransomware': 1,
      'inbound personal-data': 0,
      'inbound rejected': 1,
      'outbound normal': 1,
      'outbound spam': 0,
      'outbound virus': 0,
      'outbound ransomware': 0,
      'outbound personal-data': 1,
      'outbound rejected': 0,
    });
    const daily = await api.get<Dashboard>(`/api/dashboard?${inRange}&bucket=day`);
    expect(daily.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(11);
    const empty = await api.get<Dashboard>('/api/dashboard?from=2001-01-01&to=2001-01-08');
    expect(empty).toMatchObject({ bucket: 'day', total: 0, buckets: [] });
    expect(empty.bucketStarts).toHaveLength(7);
    expect(empty.tops['senders']).toEqual([]);
  });

  it('lists the tops of the range', async () => {
    const { tops } = await api.get<Dashboard>(`/api/dashboard?${inRange}`);
    expect(tops['senders']?.[0]).toEqual({ key: 'news@remote.test', count: 3 });
    expect(tops['recipients']?.[0]).toEqual({ key: 'alice@example.test', count: 6 });
    expect(tops['spamRecipients']).toEqual([{ key: 'bob@example.test', count: 2 }]);
    expect(tops['viruses']).toEqual([{ key: 'Eicar-Test-Signature', count: 1 }]);
    expect(tops['symbols']?.[0]).toEqual({ key: 'BAYES_SPAM', count: 2 });
    expect(tops['clientIps']?.[0]).toEqual({ key: '203.0.113.5', count: 5 });
  });

  it('gives counts the mail search reproduces: category, direction, virus name, recipient', async () => {
    const d = await api.get<Dashboard>(`/api/dashboard?${inRange}`);
    const found = async (query: string) => (await api.get<{ messages: { id: string }[] }>(`/api/mail?${query}&${inRange}&limit=100`)).messages.length;
    for (const t of d.totals) expect({ t, found: await found(`direction=${t.direction}&category=${t.category}`) }).toEqual({ t, found: t.count });
    expect(await found('virus=Eicar-Test-Signature')).toBe(1);
    expect(await found('rcpt=bob@example.test&category=spam')).toBe(2);
    const where = { and: [{ field: 'category', value: 'ransomware' }, { field: 'direction', value: 'inbound' }] };
    expect((await api.call<{ messages: unknown[] }>('POST', '/api/mail/search', { where, from: range.from, to: range.to })).body.messages).toHaveLength(1);
  });

  it('breaks statistics down by direction too, as a file and in the CLI for every breakdown', async () => {
    const byDirection = await api.get<Breakdown>(`/api/stats?by=direction&${inRange}`);
    expect(byDirection.total).toBe(11);
    expect(byDirection.rows.filter((r) => r.key === 'outbound')).toEqual([
      { key: 'outbound', action: 'deliver', count: 1 },
      { key: 'outbound', action: 'hold', count: 1 },
    ]);
    const csv = await api.fetch(`/api/stats?by=direction&format=csv&${inRange}`);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="moat-stats.csv"');
    expect(Buffer.from(await csv.arrayBuffer()).toString('utf8')).toBe('\ufeffdirection,action,count\r\ninbound,deliver,4\r\ninbound,quarantine,3\r\ninbound,reject,2\r\noutbound,deliver,1\r\noutbound,hold,1\r\n');
    const xlsx = await api.fetch(`/api/stats?by=domain&direction=inbound&format=xlsx&${inRange}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.getWorksheet('by domain');
    const rows = sheet?.getSheetValues().slice(1).map((r) => (Array.isArray(r) ? r.slice(1) : []));
    expect(rows).toEqual([
      ['domain', 'action', 'count'],
      ['example.test', 'deliver', 4],
      ['example.test', 'quarantine', 3],
      ['example.test', 'reject', 2],
    ]);

    const env = { ...process.env, MOAT_CSM_URL: csm.baseUrl, MOAT_CSM_CA: join(dataDir, 'tls', 'cert.pem'), MOAT_TOKEN: (await readFile(join(dataDir, 'cli-token'), 'utf8')).trim() };
    for (const [by, line] of [
      ['domain', /example\.test\s+deliver\s+5\n/],
      ['user', /alice@example\.test\s+deliver\s+4\n/],
      ['reason', /BAYES_SPAM\s+quarantine\s+2\n/],
      ['symbol', /BAYES_SPAM\s+quarantine\s+2\n/],
      ['direction', /inbound\s+deliver\s+4\n/],
    ] as const) {
      const cli = await runMoat(['stats', '--by', by, '--from', String(range.from), '--to', String(range.to)], env);
      expect({ by, stderr: cli.stderr, code: cli.code }).toEqual({ by, stderr: '', code: 0 });
      expect(cli.stdout).toMatch(new RegExp(`^total \\d+ by ${by}\\n\\n${by.toUpperCase()}\\s+ACTION\\s+COUNT\\n`));
      expect(cli.stdout).toMatch(line);
    }
    const json = await runMoat(['stats', '--by', 'direction', '--direction', 'outbound', '--json', '--from', String(range.from), '--to', String(range.to)], env);
    expect((JSON.parse(json.stdout) as Breakdown).total).toBe(2);
  });

  it('answers 400 with the reason for malformed or out-of-range times, unknown buckets and categories', async () => {
    const cases: [string, RegExp][] = [
      ['/api/dashboard?from=yesterday', /^from: yesterday/],
      ['/api/dashboard?to=99999999999999999999', /is not between 1970-01-01/],
      ['/api/dashboard?from=2026-05-10&to=2026-05-01', /^from: must be before to$/],
      ['/api/dashboard?bucket=minute', /^bucket: must be one of hour, day$/],
      ['/api/dashboard?from=2026-01-01&to=2026-03-01&bucket=hour', /at most 1000/],
      ['/api/dashboard?from=1&from=2', /given 2 times/],
      ['/api/mail?category=phishing', /category must be one of normal, spam, virus, ransomware, personal-data, rejected/],
      ['/api/stats?by=country', /by: must be one of domain, user, reason, symbol, direction/],
    ];
    for (const [path, reason] of cases) {
      const response = await api.call<{ problems: string[] }>('GET', path);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(response.body.problems.join('; ')).toMatch(reason);
    }
  });
});
