import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsmApi } from '../csm/support/api.js';
import { buildCsm, removeTempDirs, startCsm, startNats, tempDir, type Csm, type NatsServer } from '../csm/support/processes.js';
import { defined } from '../harness/defined.js';
import { BASE_DN, baseLdif, personLdif, ROOT_DN, ROOT_PASSWORD, startSlapd, type Slapd } from './slapd.js';

interface Report {
  ok: boolean;
  added: { address: string }[];
}

// The directory over TLS against a real slapd with a self-signed certificate: StartTLS on ldap:// and ldaps://
// sync when the settings' CA is that certificate, and are refused (503, the certificate named) without it.
describe('directory sync over StartTLS and ldaps', () => {
  let nats: NatsServer;
  let csm: Csm;
  let slapd: Slapd;
  let admin: CsmApi;

  const configure = (settings: Record<string, unknown>) => admin.call('PUT', '/api/directory', { bindDn: ROOT_DN, bindPassword: ROOT_PASSWORD, baseDn: BASE_DN, ...settings });
  const dryRun = () => admin.call<Report & { error?: string }>('POST', '/api/directory/sync', { dryRun: true });

  beforeAll(async () => {
    buildCsm();
    slapd = await startSlapd([baseLdif(), personLdif('erin', 'Erin Example', 'erin-directory-passphrase', ['erin@example.test'])].join('\n'), { tls: true });
    nats = await startNats();
    const dataDir = join(await tempDir('moat-directory-tls-'), 'csm');
    await mkdir(dataDir);
    csm = await startCsm({ natsUrl: nats.url, dataDir, MOAT_ADMIN_PASSWORD: 'bootstrap-secret' });
    const session = await new CsmApi(csm).call<{ token: string }>('POST', '/api/auth/login', { username: 'admin', password: 'bootstrap-secret' });
    admin = new CsmApi(csm, session.body.token);
    expect((await admin.call('PUT', '/api/policy', { policy: { domains: [{ name: 'example.test', downstream: { host: '127.0.0.1', port: 2525 } }] }, comment: 'domain' })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await csm?.stop();
    await nats?.stop();
    await slapd?.stop();
    await removeTempDirs();
  });

  it('syncs over StartTLS and ldaps with the CA given', async () => {
    const tls = defined(slapd.tls, 'slapd TLS');
    for (const settings of [{ url: slapd.url, startTls: true, ca: tls.certificate }, { url: tls.ldapsUrl, ca: tls.certificate }]) {
      expect((await configure(settings)).status).toBe(200);
      const result = await dryRun();
      expect(result.status, JSON.stringify(result.body)).toBe(200);
      expect(result.body.added.map((a) => a.address)).toEqual(['erin@example.test']);
    }
  });

  it('refuses a server whose certificate does not chain to the CA (none given: the system CAs)', async () => {
    const tls = defined(slapd.tls, 'slapd TLS');
    for (const settings of [{ url: slapd.url, startTls: true }, { url: tls.ldapsUrl }]) {
      expect((await configure(settings)).status).toBe(200);
      const result = await dryRun();
      expect(result.status).toBe(503);
      expect(JSON.stringify(result.body)).toMatch(/self[- ]signed certificate/i);
    }
    expect((await configure({ url: tls.ldapsUrl, startTls: true })).status).toBe(400);
  });
});
