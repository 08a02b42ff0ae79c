import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Session } from 'chdb';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEventsStream } from '@moat/bus';
import { runMoat } from '../harness/moat-cli.js';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from './support/api.js';
import { messageEvent, publishMessage } from './support/events.js';
import { buildCsm, startCsm, startNats, removeTempDirs, tempDir, type Csm, type NatsServer } from './support/processes.js';

interface AuditEntry {
  seq: number;
  admin: string;
  action: string;
  target: string;
  detail: string;
  ok: boolean;
  prevHash: string;
  hash: string;
}
interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

const PASSWORD = 'audit-test-secret';

// The audit log through the real CSM (NATS KV for the chain head, chdb for the entries) and the built `moat`
// command: every administrator action is an entry, entries page with a cursor, and a change made in the
// database behind the CSM's back is found by `moat audit verify`.
describe('audit log', () => {
  let nats: NatsServer;
  let csm: Csm;
  let nc: NatsConnection;
  let dataDir: string;
  let admin: CsmApi;
  let token: string;
  const env = () => ({ ...process.env, MOAT_CSM_URL: csm.baseUrl, MOAT_CSM_CA: join(dataDir, 'tls', 'cert.pem'), MOAT_TOKEN: token });
  const login = async () => {
    const session = await new CsmApi(csm).call<{ token: string }>('POST', '/api/auth/login', { username: 'admin', password: PASSWORD });
    token = session.body.token;
    admin = new CsmApi(csm, token);
  };

  beforeAll(async () => {
    buildCsm();
    nats = await startNats();
    dataDir = await tempDir('moat-csm-audit-');
    csm = await startCsm({ natsUrl: nats.url, dataDir, MOAT_ADMIN_PASSWORD: PASSWORD });
    nc = await connect({ servers: nats.url });
    await ensureEventsStream(nc);
    await login();
  });

  afterAll(async () => {
    await nc?.close();
    await csm?.stop();
    await nats?.stop();
    await removeTempDirs();
  });

  it('records logins, failed logins, views, policy and list changes and logouts, newest first with a cursor', async () => {
    expect((await new CsmApi(csm).call('POST', '/api/auth/login', { username: 'admin', password: 'wrong' })).status).toBe(401);
    expect((await admin.call('POST', '/api/lists', { op: 'add', kind: 'ip-block', value: '198.51.100.9' })).status).toBe(201);
    await publishMessage(nc, messageEvent('audit-msg-1'));
    await waitFor('the message in ClickHouse', async () => ((await admin.call('GET', '/api/mail/audit-msg-1')).status === 200 ? true : undefined));
    const other = await new CsmApi(csm).call<{ token: string }>('POST', '/api/auth/login', { username: 'admin', password: PASSWORD });
    expect((await new CsmApi(csm, other.body.token).call('POST', '/api/auth/logout')).status).toBe(204);

    const all = await admin.get<AuditPage>('/api/audit?limit=1000');
    const actions = all.entries.map((e) => `${e.action}${e.ok ? '' : ' (failed)'}`);
    for (const expected of ['policy.change', 'login', 'login (failed)', 'mail.view', 'logout']) expect(actions).toContain(expected);
    expect(all.entries.find((e) => e.action === 'mail.view')).toMatchObject({ admin: 'admin', target: 'audit-msg-1' });
    expect(all.entries.map((e) => e.seq)).toEqual([...all.entries.map((e) => e.seq)].sort((a, b) => b - a));
    expect(all.entries.at(-1)).toMatchObject({ seq: 1, prevHash: '' });

    const seen: number[] = [];
    let cursor: string | null = '';
    do {
      const page: AuditPage = await admin.get<AuditPage>(`/api/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.entries.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.entries.map((e) => e.seq));

    const views = await admin.get<AuditPage>('/api/audit?action=mail&actor=admin');
    expect(views.entries.map((e) => e.action)).toContain('mail.view');
    expect((await admin.call('GET', '/api/audit?cursor=x')).status).toBe(400);
    expect((await admin.call('GET', '/api/audit?from=99999999999999999999')).status).toBe(400);

    const listed = await runMoat(['audit', '--action', 'login'], env());
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^SEQ\s+TIME\s+ACTOR\s+ACTION/);
    expect(listed.stdout).toContain('failed attempt 1');
  });

  it('moat audit verify passes on the intact chain and names the entry changed in the database', async () => {
    const intact = await runMoat(['audit', 'verify'], env());
    expect(intact.stderr).toBe('');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^audit chain intact: \d+ entries checked \(1 to \d+\)/);

    // Change entry 3 where the CSM keeps it (chdb, so with the CSM stopped), then start it again.
    await csm.stop();
    const session = new Session(join(dataDir, 'clickhouse'));
    try {
      session.query("ALTER TABLE audit_log UPDATE detail = 'forged' WHERE seq = 3 SETTINGS mutations_sync = 2");
      expect(session.query('SELECT detail FROM audit_log WHERE seq = 3', 'TSV').trim()).toBe('forged');
    } finally {
      session.close();
    }
    csm = await startCsm({ natsUrl: nats.url, dataDir, MOAT_ADMIN_PASSWORD: PASSWORD });
    await login();

    const broken = await runMoat(['audit', 'verify'], env());
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('moat audit: audit chain broken at entry 3: entry 3 does not match its hash');
    const json = await admin.get<{ ok: boolean; broken: { seq: number } }>('/api/audit/verify');
    expect(json).toMatchObject({ ok: false, broken: { seq: 3 } });
  });
});
