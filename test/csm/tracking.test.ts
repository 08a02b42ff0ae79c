import { Metadata } from '@grpc/grpc-js';
import { ensureEventsStream, openQuarantineStore } from '@moat/bus';
import { Action, NodeServiceClient, type ControlCommand, type EnrolResponse, type NodeToCsm } from '@moat/proto/grpc';
import type { ObjectStore } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMoat } from '../harness/moat-cli.js';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from './support/api.js';
import { messageEvent, publishMessage } from './support/events.js';
import { buildCsm, startCsm, startNats, removeTempDirs, tempDir, type Csm, type NatsServer } from './support/processes.js';
import { enrolNode } from './support/node-client.js';

const ENROL_TOKEN = 'tracking-enrol-token';

interface MailRow {
  id: string;
  nodeId: string;
  nodeName: string;
  action: string;
  deliveryStatus: string;
  released: boolean;
  mailFrom: string;
  attachmentNames: string[];
}
interface MailPage {
  messages: MailRow[];
  nextCursor: string | null;
}
interface BulkResult {
  ok: number;
  failed: number;
  results: { id: string; ok: boolean; detail: string }[];
}

// Mail tracking through the real CSM process (NATS JetStream events and object store, chdb) with a node enrolled
// over gRPC that answers Control commands: structured search with OR and cursor paging, node names, bulk
// release and delete from the quarantine, CSV/XLSX export, the security log, and the audit trail of it all.
describe('mail tracking', () => {
  let nats: NatsServer;
  let csm: Csm;
  let nc: NatsConnection;
  let api: CsmApi;
  let dataDir: string;
  let client: NodeServiceClient;
  let node: EnrolResponse;
  let quarantine: ObjectStore;
  const run = Date.now().toString(36);
  const id = (n: number) => `${run}-${String(n).padStart(2, '0')}`;
  const env = async () => ({ ...process.env, MOAT_CSM_URL: csm.baseUrl, MOAT_CSM_CA: join(dataDir, 'tls', 'cert.pem'), MOAT_TOKEN: (await readFile(join(dataDir, 'cli-token'), 'utf8')).trim() });
  // 30 messages a second apart: every 5th quarantined with a virus in invoice.exe, every 7th from alice.
  const virus = (n: number) => n % 5 === 0;
  const fromAlice = (n: number) => n % 7 === 3;

  beforeAll(async () => {
    buildCsm();
    nats = await startNats();
    dataDir = await tempDir('moat-csm-tracking-');
    csm = await startCsm({ natsUrl: nats.url, dataDir, MOAT_ENROL_TOKEN: ENROL_TOKEN });
    api = await CsmApi.withCliToken(csm);
    nc = await connect({ servers: nats.url });
    await ensureEventsStream(nc);
    quarantine = await openQuarantineStore(nc);
    ({ client, node } = await enrolNode(csm, ENROL_TOKEN, 'mx-east'));

    const base = Date.now() - 60_000;
    for (let n = 0; n < 30; n++) {
      const event = messageEvent(id(n), {
        nodeId: node.nodeId,
        receivedAtMs: base + n * 1000,
        action: virus(n) ? Action.ACTION_QUARANTINE : Action.ACTION_DELIVER,
        symbols: virus(n) ? [{ name: 'AV_VIRUS', score: 0, detail: 'Eicar-Test-Signature in invoice.exe', stage: 'data' }] : [{ name: 'SPF_PASS', score: -1, detail: 'ok', stage: 'data' }],
        attachments: virus(n) ? [{ name: 'invoice.exe', declaredType: 'application/pdf', detectedType: 'application/x-dosexec', size: 68, sha256: 'cd'.repeat(32) }] : [],
      });
      if (fromAlice(n) && event.envelope) event.envelope = { ...event.envelope, mailFrom: `alice-${run}@partner.test` };
      if (event.headers) event.headers = { ...event.headers, subject: `Tracking ${run} number ${n}` };
      await publishMessage(nc, event);
      if (virus(n)) await quarantine.putBlob({ name: id(n) }, new TextEncoder().encode(`Subject: message ${n}\r\n\r\nbody\r\n`));
    }
    await waitFor('30 messages in ClickHouse', async () => ((await api.get<MailPage>(`/api/mail?subject=${run}&limit=100`)).messages.length === 30 ? true : undefined));
  });

  afterAll(async () => {
    client?.close();
    await nc?.close();
    await csm?.stop();
    await nats?.stop();
    await removeTempDirs();
  });

  const expectedOr = Array.from({ length: 30 }, (_, n) => n).filter((n) => virus(n) || fromAlice(n)).map(id).reverse();

  it('finds mail with an OR condition, in the API and the CLI, with the node by name', async () => {
    const where = { and: [{ field: 'subject', value: run }, { or: [{ field: 'sender', value: `alice-${run}@` }, { field: 'symbol', value: 'AV_VIRUS' }] }] };
    const page = await api.call<MailPage>('POST', '/api/mail/search', { where, limit: 100 });
    expect(page.status).toBe(200);
    expect(page.body.messages.map((m) => m.id)).toEqual(expectedOr);
    expect(page.body.messages.every((m) => m.nodeName === 'mx-east')).toBe(true);
    expect(page.body.messages.find((m) => m.id === id(5))?.attachmentNames).toEqual(['invoice.exe']);
    expect(page.body.nextCursor).toBeNull();

    const byNodeName = await api.get<MailPage>(`/api/mail?node=mx-east&subject=${run}&attachment=.EXE`);
    expect(byNodeName.messages.map((m) => m.id)).toEqual([25, 20, 15, 10, 5, 0].map(id));
    const any = await api.get<MailPage>(`/api/mail?match=any&sender=alice-${run}@&ip=203.0.113.`);
    expect(any.messages.map((m) => m.id)).toEqual(expectedOr.filter((m) => [3, 10, 17, 24].map(id).includes(m)));

    const cli = await runMoat(['mail', 'search', '--json', '--all', '--limit', '2', '--or', '--sender', `alice-${run}@`, '--symbol', 'AV_VIRUS'], await env());
    expect(cli.stderr).toBe('');
    expect((JSON.parse(cli.stdout) as MailPage).messages.map((m) => m.id)).toEqual(expectedOr);
    const table = await runMoat(['mail', 'search', '--limit', '2', '--subject', run], await env());
    expect(table.stdout).toMatch(/mx-east/);
    expect(table.stdout).toMatch(/^more: --cursor \S+$/m);
  });

  it('pages with a cursor: every message once, in order, never a silent cut', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query = `/api/mail?subject=${run}&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const page: MailPage = await api.get<MailPage>(query);
      seen.push(...page.messages.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, n) => id(29 - n)));
  });

  it('releases one and deletes others from the quarantine in bulk', async () => {
    const control = client.control(metadata(node));
    const commands: ControlCommand[] = [];
    control.on('data', (command: ControlCommand) => {
      commands.push(command);
      const reply: NodeToCsm = { kind: { $case: 'reply', value: { commandId: command.commandId, ok: true, error: '', detail: 'queued for delivery', modelVersion: '' } } };
      control.write(reply);
    });
    control.on('error', () => undefined);
    control.write({ kind: { $case: 'hello', value: { nodeId: node.nodeId } } });
    const released = await waitFor('bulk release through the node', async () => {
      const response = await api.call<BulkResult>('POST', '/api/mail/actions', { action: 'release', ids: [id(0)] });
      return response.body.ok === 1 ? response.body : undefined;
    });
    expect(released.results).toEqual([expect.objectContaining({ id: id(0), ok: true, detail: 'queued for delivery' })]);
    control.end();

    const deleted = await api.call<BulkResult>('POST', '/api/mail/actions', { action: 'delete', ids: [id(5), id(10), id(1), id(0)] });
    expect(deleted.status).toBe(200);
    expect(deleted.body.results.map((r) => [r.id, r.ok])).toEqual([[id(5), true], [id(10), true], [id(1), false], [id(0), false]]);
    expect(await quarantine.getBlob(id(5))).toBeNull();
    expect(await quarantine.getBlob(id(15))).not.toBeNull();
    type View = MailRow & { actions: { admin: string; action: string }[]; verdict: object; symbols: { name: string; meaning: string }[] };
    const after = await api.get<View>(`/api/mail/${id(5)}`);
    expect(after.deliveryStatus).toBe('deleted');
    expect(after.verdict).toEqual({ byScore: 'deliver', forced: true, forcedBy: ['AV_VIRUS'], summary: 'quarantine forced by AV_VIRUS; the score 1.5 alone would deliver (tag 5, quarantine 10, reject 15)' });
    expect(after.symbols[0]?.meaning).toMatch(/found malware in an attachment/);
    expect(after.actions).toEqual([expect.objectContaining({ admin: 'admin', action: 'mail.delete' })]);
    const releasedView = await api.get<{ actions: { admin: string; action: string; ok: boolean }[] }>(`/api/mail/${id(0)}`);
    expect(releasedView.actions.map((a) => [a.action, a.ok])).toEqual([['mail.release', true]]);
    const again = await api.call<BulkResult>('POST', '/api/mail/actions', { action: 'release', ids: [id(5)] });
    expect(again.body.results[0]).toMatchObject({ ok: false, detail: expect.stringMatching(/deleted from the quarantine/) });

    const cli = await runMoat(['mail', 'delete', id(15), id(2)], await env());
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`${id(15)}  deleted`);
    expect(cli.stderr).toContain('1 of 2 messages not deleted');
  });

  it('exports the result set as CSV and XLSX with a row per message', async () => {
    const csv = await fetchFile(`/api/mail/export?format=csv&subject=${run}&verdict=quarantine`);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    const lines = csv.bytes.toString('utf8').replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('date,node,attachment,result,score,sender,recipient,subject,sender IP,delivery result,restored,id');
    expect(lines.slice(1).map((l) => l.split(',').at(-1))).toEqual([25, 20, 15, 10, 5, 0].map(id));
    expect(lines.find((l) => l.endsWith(id(0)))).toMatch(/,mx-east,invoice\.exe,quarantine,.*,released,true,/);

    const xlsx = await fetchFile(`/api/mail/export?format=xlsx&subject=${run}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(xlsx.bytes).buffer);
    const sheet = workbook.getWorksheet('mail');
    expect(sheet?.rowCount).toBe(31);
    expect(sheet?.getRow(2).getCell(12).value).toBe(id(29));

    const out = join(dataDir, 'quarantined.xlsx');
    const cli = await runMoat(['mail', 'export', out, '--verdict', 'quarantine', '--subject', run], await env());
    expect(cli.stderr).toBe('');
    const fromCli = new ExcelJS.Workbook();
    await fromCli.xlsx.readFile(out);
    expect(fromCli.getWorksheet('mail')?.rowCount).toBe(7);
  });

  it('lists the security log by filter kind', async () => {
    const log = await api.get<{ findings: { messageId: string; symbol: string; detail: string; nodeName: string }[] }>('/api/security-log?kind=AV_&limit=100');
    const ours = log.findings.filter((f) => f.messageId.startsWith(run));
    expect(ours.map((f) => f.messageId)).toEqual([25, 20, 15, 10, 5, 0].map(id));
    expect(ours[0]).toMatchObject({ symbol: 'AV_VIRUS', detail: 'Eicar-Test-Signature in invoice.exe', nodeName: 'mx-east' });
  });

  it('breaks statistics down by domain, user, reason and symbol, also as a file and in the CLI', async () => {
    type Breakdown = { total: number; rows: { key: string; action: string; count: number }[] };
    const byUser = await api.get<Breakdown>('/api/stats?by=user&direction=inbound');
    expect(byUser.rows.filter((r) => r.key === 'alice@example.test').reduce((n, r) => n + r.count, 0)).toBeGreaterThanOrEqual(30);
    const byReason = await api.get<Breakdown>('/api/stats?by=reason');
    expect(byReason.rows).toContainEqual(expect.objectContaining({ key: 'AV_VIRUS', action: 'quarantine' }));
    const bySymbol = await api.get<Breakdown>('/api/stats?by=symbol');
    expect(bySymbol.rows.find((r) => r.key === 'AV_VIRUS')?.count).toBeGreaterThanOrEqual(6);
    const byDomain = await api.get<Breakdown>('/api/stats?by=domain');
    expect(byDomain.rows.map((r) => r.key)).toContain('example.test');

    const csv = await fetchFile('/api/stats?by=symbol&format=csv');
    expect(csv.bytes.toString('utf8')).toMatch(/^\ufeffsymbol,action,count\r\n/);
    const xlsx = await fetchFile('/api/stats?by=reason&format=xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(xlsx.bytes).buffer);
    expect(workbook.getWorksheet('by reason')?.getRow(1).values).toEqual([undefined, 'reason', 'action', 'count']);

    const cli = await runMoat(['stats', '--by', 'symbol'], await env());
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toMatch(/^total \d+ by symbol\n\nSYMBOL\s+ACTION\s+COUNT\n/);
    expect(cli.stdout).toMatch(/AV_VIRUS\s+quarantine\s+\d+/);
  });

  it('audits views, releases, deletions and exports', async () => {
    const audit = await api.get<{ entries: { action: string; target: string; detail: string }[] }>('/api/audit?action=mail&limit=1000');
    const seen = audit.entries.map((e) => `${e.action} ${e.target}`);
    for (const expected of [`mail.release ${id(0)}`, `mail.delete ${id(5)}`, `mail.delete ${id(15)}`, `mail.view ${id(5)}`, 'mail.export csv', 'mail.export xlsx']) expect(seen).toContain(expected);
    expect(audit.entries.find((e) => e.action === 'mail.export' && e.target === 'csv')?.detail).toMatch(/^6 messages; /);
  });

  it('answers 400 with a reason for out-of-range times, bad conditions and non-ASCII model versions', async () => {
    const cases: [string, string, unknown?][] = [
      ['GET', '/api/mail?from=99999999999999999999'],
      ['GET', '/api/stats?to=99999999999999999999'],
      ['GET', '/api/mail?sender=a&sender=b'],
      ['GET', '/api/mail?cursor=zzz'],
      ['GET', `/api/classifier/models/${encodeURIComponent('모델버전')}`],
      ['GET', '/api/mail/export?format=pdf'],
      ['GET', '/api/security-log?from=-5'],
      ['GET', '/api/stats?by=country'],
      ['GET', '/api/policy/diff?from=abc'],
      ['POST', '/api/policy/rollback', { version: -1 }],
      ['POST', '/api/mail/search', { where: { or: [{ field: 'headers', value: 'x' }] } }],
      ['POST', '/api/mail/search', { where: { and: 'x' }, limit: 10 }],
      ['POST', '/api/mail/actions', { action: 'forward', ids: [id(1)] }],
    ];
    for (const [method, path, body] of cases) {
      const response = await api.call<{ error: string; problems: string[] }>(method, path, body);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(response.body.problems.length).toBeGreaterThan(0);
    }
  });

  async function fetchFile(path: string): Promise<{ type: string; bytes: Buffer }> {
    const response = await api.fetch(path);
    expect(response.status).toBe(200);
    return { type: response.headers.get('content-type') ?? '', bytes: Buffer.from(await response.arrayBuffer()) };
  }
});

function metadata(node: EnrolResponse): Metadata {
  const m = new Metadata();
  m.set('x-moat-node-id', node.nodeId);
  m.set('x-moat-node-secret', node.nodeSecret);
  return m;
}
