import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificateSet } from '@moat/proto/grpc';
import { generateKeyAndCsr } from '@moat/tls';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryConfigRepository, InMemoryEventStore, testAudit, testConfig } from '../testing/in-memory-repositories.js';
import { InvalidInputError, NotFoundError } from '../util/errors.js';
import { SecretBox } from '../util/secret-box.js';
import { SecretKeyService } from './secret-key.service.js';
import { CertificateService } from './certificate.service.js';

const SECRET_KEY = Buffer.alloc(32, 9);
const dir = mkdtempSync(join(tmpdir(), 'moat-certsvc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Spec CA', '-days', '30');

/** The CSR signed by the spec's CA for DOMAIN, valid DAYS days. */
function sign(csr: string, domain: string, days = 90): string {
  writeFileSync(join(dir, 'req.csr'), csr);
  writeFileSync(join(dir, 'leaf.ext'), `subjectAltName=DNS:${domain}\n`);
  openssl('x509', '-req', '-in', 'req.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', String(days), '-extfile', 'leaf.ext');
  return readFileSync(join(dir, 'leaf.pem'), 'utf8');
}

describe('CertificateService', () => {
  let config: InMemoryConfigRepository;
  let store: InMemoryEventStore;
  let service: CertificateService;
  let sets: CertificateSet[];

  beforeEach(() => {
    config = new InMemoryConfigRepository();
    store = new InMemoryEventStore();
    const csmConfig = testConfig({ MOAT_SECRET_KEY: SECRET_KEY.toString('base64') });
    service = new CertificateService(config, testAudit(store, config), new SecretKeyService(csmConfig));
    sets = [];
    service.watch((set) => sets.push(set));
  });

  it('makes a CSR, keeps its key encrypted, and serves the uploaded certificate to watchers with the key', async () => {
    const { csr } = await service.createCsr({ domain: 'Mail.A.test', keyType: 'ecdsa' }, 'admin');
    const record = config.certificates.get('mail.a.test');
    expect(record?.pending?.csr).toBe(csr);
    expect(JSON.stringify(record)).not.toContain('PRIVATE KEY');
    expect(await service.list()).toMatchObject([{ domain: 'mail.a.test', status: 'pending', csrPending: true }]);
    // Nodes get the (empty) set: a pending key is never sent.
    expect(sets.map((set) => set.certificates)).toEqual([[]]);

    const view = await service.upload('mail.a.test', { certificate: sign(csr, 'mail.a.test') }, 'admin');
    expect(view).toMatchObject({ status: 'active', keyType: 'ecdsa', subject: 'CN=mail.a.test', sans: ['mail.a.test'], issuer: 'CN=Spec CA', warning: '', csrPending: false });
    expect(view.daysLeft).toBe(89);
    expect(sets).toHaveLength(2);
    expect(sets[1]?.certificates[0]).toMatchObject({ domain: 'mail.a.test', keyPem: expect.stringContaining('BEGIN PRIVATE KEY') });
    expect(store.audit.map((a) => a.action)).toEqual(['certificate.csr', 'certificate.upload']);
    // The CSM's secret key (MOAT_SECRET_KEY here) opens the stored key, for this domain only.
    const active = config.certificates.get('mail.a.test')?.active;
    if (!active) throw new Error('no active certificate stored');
    const box = SecretBox.fromKey(SECRET_KEY);
    expect(box.open(active.key, 'mail.a.test')).toBe(sets[1]?.certificates[0]?.keyPem);
    expect(() => box.open(active.key, 'b.test')).toThrow();
  });

  it('refuses a certificate for another key with the reason, and keeps serving the active one during a renewal', async () => {
    const first = await service.createCsr({ domain: 'mail.a.test' }, 'admin');
    await service.upload('mail.a.test', { certificate: sign(first.csr, 'mail.a.test', 10) }, 'admin');
    expect((await service.list())[0]?.warning).toBe('expires in 9 days');
    const stranger = await generateKeyAndCsr('mail.a.test', 'rsa');
    const refused = await service.upload('mail.a.test', { certificate: sign(stranger.csr, 'mail.a.test') }, 'admin').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect((refused as Error).message).toContain('does not match the private key');

    const renewal = await service.createCsr({ domain: 'mail.a.test', keyType: 'rsa' }, 'admin');
    expect((await service.list())[0]).toMatchObject({ status: 'active', csrPending: true });
    expect(await service.csr('mail.a.test')).toBe(renewal.csr);
    const served = sets.length;
    await service.upload('mail.a.test', { certificate: sign(renewal.csr, 'mail.a.test') }, 'admin');
    expect((await service.list())[0]).toMatchObject({ keyType: 'rsa', csrPending: false, warning: '' });
    expect(sets).toHaveLength(served + 1);
  });

  it('imports a certificate with its key, removes it, and answers bad input with 400-style problems', async () => {
    const made = await generateKeyAndCsr('b.test', 'ecdsa');
    await service.importCertificate('b.test', { certificate: sign(made.csr, 'b.test'), key: made.key }, 'admin');
    expect(sets.at(-1)?.certificates.map((c) => c.domain)).toEqual(['b.test']);
    await service.remove('b.test', 'admin');
    expect(sets.at(-1)?.certificates).toEqual([]);
    await expect(service.remove('b.test', 'admin')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.createCsr({ domain: 'not a domain' }, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.createCsr({ domain: 'c.test', keyType: 'dsa' }, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.upload('c.test', { certificate: 'x' }, 'admin')).rejects.toThrow('make a CSR first');
    await expect(service.importCertificate('c.test', { certificate: 42 }, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.importCertificate('b.test', { certificate: sign(made.csr, 'b.test'), key: 'garbage' }, 'admin')).rejects.toThrow('not a usable');
  });
});
