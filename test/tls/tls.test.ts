import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { chromium } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyInput } from '@moat/policy';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { waitFor } from '../harness/wait.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end();
  });
}

interface Handshake {
  ok: boolean;
  certificate?: X509Certificate;
  protocol: string;
  output: string;
}

// Issue 14 (F10): per-domain certificates by SNI on a real scan node, made from a CSR the CSM generated and a
// certificate signed here by a test CA with openssl; TLS 1.0/1.1 refused; `required` TLS toward a downstream
// verifies its certificate against the domain's CA bundle, and a failure is retried.
describe('TLS', () => {
  let cluster: TestCluster;
  let dir: string;
  let smtpPort: number;
  let downstream: SMTPServer;
  let downstreamPort: number;
  const received: string[] = [];

  const openssl = async (...args: string[]) => {
    const result = await run('openssl', args, dir);
    if (result.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  /** A CA (KEY, PEM) made with openssl. */
  const makeCa = async (name: string) => {
    await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${name}`, '-days', '30');
    return readFile(join(dir, `${name}.pem`), 'utf8');
  };

  /** Signs CSR with the test CA for DNS name SAN; returns the certificate PEM. */
  const sign = async (csr: string, san: string, file: string) => {
    await writeFile(join(dir, `${file}.csr`), csr);
    await writeFile(join(dir, `${file}.ext`), `basicConstraints=CA:FALSE\nsubjectAltName=DNS:${san}\n`);
    await openssl('x509', '-req', '-in', `${file}.csr`, '-CA', 'test-ca.pem', '-CAkey', 'test-ca.key', '-CAcreateserial', '-out', `${file}.pem`, '-days', '60', '-extfile', `${file}.ext`);
    return readFile(join(dir, `${file}.pem`), 'utf8');
  };

  /** `openssl s_client -starttls smtp` to the node, asking for SERVERNAME; EXTRA selects the protocol. */
  const handshake = async (serverName: string, ...extra: string[]): Promise<Handshake> => {
    const result = await run('openssl', ['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${smtpPort}`, '-servername', serverName, ...extra], dir);
    const output = `${result.stdout}\n${result.stderr}`;
    const pem = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]*-----END CERTIFICATE-----/.exec(result.stdout)?.[0];
    // "New, TLSv1.3, Cipher is ...": printed for every handshake (the session block may wait for a TLS 1.3 ticket).
    const protocol = /^New, (\S+), Cipher is/m.exec(result.stdout)?.[1] ?? '';
    return { ok: result.code === 0 && pem !== undefined, certificate: pem ? new X509Certificate(pem) : undefined, protocol, output };
  };

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await cluster.csmFetch(path, {
      method,
      headers: { authorization: `Bearer ${await cluster.token()}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  /** Waits until the node serves a certificate with FINGERPRINT to clients asking for SERVERNAME. */
  const servedFor = (serverName: string, fingerprint: string) =>
    waitFor(`the node to serve ${fingerprint.slice(0, 11)} for ${serverName}`, async () => {
      const shake = await handshake(serverName);
      return shake.certificate?.fingerprint256 === fingerprint ? shake : undefined;
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-tls-'));
    await makeCa('test-ca');
    await makeCa('other-ca');
    // The downstream of secure.test: STARTTLS with a certificate for mx.secure.test from the test CA.
    await writeFile(join(dir, 'mx.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:mx.secure.test\n');
    await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'mx.key', '-out', 'mx.csr', '-subj', '/CN=mx.secure.test');
    await openssl('x509', '-req', '-in', 'mx.csr', '-CA', 'test-ca.pem', '-CAkey', 'test-ca.key', '-CAcreateserial', '-out', 'mx.pem', '-days', '30', '-extfile', 'mx.ext');
    downstreamPort = defined((await freePorts(1))[0], 'a free port');
    downstream = new SMTPServer({
      key: await readFile(join(dir, 'mx.key'), 'utf8'),
      cert: await readFile(join(dir, 'mx.pem'), 'utf8'),
      authOptional: true,
      disabledCommands: ['AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push(`${session.secure ? 'tls' : 'plain'} ${Buffer.concat(chunks).toString('utf8')}`);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => downstream.listen(downstreamPort, '127.0.0.1', resolve));
    const otherCa = await readFile(join(dir, 'other-ca.pem'), 'utf8');
    cluster = await startCluster({
      nodes: 1,
      policy: (demo: PolicyInput): PolicyInput => ({
        ...demo,
        domains: [
          ...(demo.domains ?? []),
          { name: 'secure.test', downstream: { host: '127.0.0.1', port: downstreamPort, tls: 'required', tlsName: 'mx.secure.test', caBundle: otherCa } },
        ],
      }),
    });
    smtpPort = defined(cluster.ports.smtp[0], 'the node SMTP port');
  });
  afterAll(async () => {
    await cluster?.stop();
    await new Promise<void>((resolve) => (downstream ? downstream.close(() => resolve()) : resolve()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the certificate of each domain by SNI, made from CSRs and uploaded through the API', async () => {
    const own = await handshake('a.test');
    expect(own.ok, own.output).toBe(true);
    const fingerprints: Record<string, string> = {};
    for (const [domain, keyType] of [['a.test', 'ecdsa'], ['b.test', 'rsa']] as const) {
      const csr = await api('POST', '/api/certificates/csr', { domain, keyType });
      expect(csr.status, JSON.stringify(csr.body)).toBe(200);
      const certificate = await sign(String(csr.body['csr']), domain, domain);
      const uploaded = await api('PUT', `/api/certificates/${domain}`, { certificate });
      expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
      expect(uploaded.body).toMatchObject({ domain, status: 'active', subject: `CN=${domain}`, sans: [domain], issuer: 'CN=test-ca', keyType, daysLeft: 59, warning: '' });
      fingerprints[domain] = new X509Certificate(certificate).fingerprint256;
    }
    const a = await servedFor('a.test', defined(fingerprints['a.test'], 'a.test'));
    const b = await servedFor('b.test', defined(fingerprints['b.test'], 'b.test'));
    expect(a.certificate?.subject).toBe('CN=a.test');
    expect(b.certificate?.subject).toBe('CN=b.test');
    expect(b.certificate?.publicKey.asymmetricKeyType).toBe('rsa');
    // Any other name gets the node's own certificate.
    expect((await handshake('other.test')).certificate?.fingerprint256).toBe(own.certificate?.fingerprint256);

    const listed = await api('GET', '/api/certificates');
    expect(JSON.stringify(listed.body)).not.toContain('PRIVATE KEY');
    const wrong = await api('PUT', '/api/certificates/a.test', { certificate: await sign(String((await api('POST', '/api/certificates/csr', { domain: 'c.test' })).body['csr']), 'c.test', 'c-for-a') });
    expect(wrong.status).toBe(400);
    expect(String(wrong.body['error'])).toMatch(/does not match the private key|is not valid for a\.test/);
  });

  it('renews a domain from a new CSR and serves the new certificate without restarting the node', async () => {
    const pid = cluster.node(0).pid;
    const csr = await api('POST', '/api/certificates/csr', { domain: 'a.test', keyType: 'rsa' });
    expect(csr.status).toBe(200);
    const listed = (await api('GET', '/api/certificates')).body as unknown as Array<{ domain: string; csrPending: boolean }>;
    expect(listed.find((c) => c.domain === 'a.test')?.csrPending).toBe(true);
    const renewed = await sign(String(csr.body['csr']), 'a.test', 'a-renewed');
    expect((await api('PUT', '/api/certificates/a.test', { certificate: renewed })).status).toBe(200);
    const served = await servedFor('a.test', new X509Certificate(renewed).fingerprint256);
    expect(served.certificate?.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cluster.node(0).pid).toBe(pid);
  });

  it('moat certs: csr, upload, list with expiry, remove', async () => {
    const own = (await handshake('other.test')).certificate?.fingerprint256;
    const made = await cluster.moat(['certs', 'csr', 'd.test', '--key-type', 'ecdsa', '--out', join(dir, 'd-cli.csr')]);
    expect(made.code, made.stderr).toBe(0);
    const certificate = await sign(await readFile(join(dir, 'd-cli.csr'), 'utf8'), 'd.test', 'd-cli');
    const uploaded = await cluster.moat(['certs', 'upload', 'd.test', join(dir, 'd-cli.pem')]);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(uploaded.stdout).toContain('d.test: CN=d.test, issued by CN=test-ca, 59 days left');
    const listed = (await cluster.moatJson(['certs', 'list'])) as Array<{ domain: string; status: string; daysLeft: number }>;
    expect(listed.find((c) => c.domain === 'd.test')).toMatchObject({ status: 'active', daysLeft: 59 });
    await servedFor('d.test', new X509Certificate(certificate).fingerprint256);
    const wrong = await cluster.moat(['certs', 'upload', 'b.test', join(dir, 'd-cli.pem')]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/HTTP 400/);
    expect((await cluster.moat(['certs', 'remove', 'd.test'])).code).toBe(0);
    await servedFor('d.test', defined(own, "the node's own certificate"));

    // A certificate with a key made elsewhere (openssl here), imported: the CSM keeps the key encrypted.
    await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'f.key', '-out', 'f.csr', '-subj', '/CN=f.test');
    const imported = await sign(await readFile(join(dir, 'f.csr'), 'utf8'), 'f.test', 'f');
    const wrongKey = await cluster.moat(['certs', 'import', 'f.test', join(dir, 'f.pem'), join(dir, 'test-ca.key')]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('does not match the private key');
    const done = await cluster.moat(['certs', 'import', 'f.test', join(dir, 'f.pem'), join(dir, 'f.key')]);
    expect(done.code, done.stderr).toBe(0);
    await servedFor('f.test', new X509Certificate(imported).fingerprint256);
  });

  it("records the TLS protocol, cipher and SNI name of a message, shown by moat mail show", async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, requireTLS: true, tls: { servername: 'b.test', rejectUnauthorized: false } });
    try {
      await transport.sendMail({ envelope: { from: 'sender@remote.test', to: ['alice@example.test'] }, from: 'sender@remote.test', to: 'alice@example.test', subject: 'over starttls', text: 'hello\n' });
    } finally {
      transport.close();
    }
    const row = await waitFor('the message in the CSM', async () => (await cluster.searchMail(['--subject', 'over starttls']))[0]);
    const detail = (await cluster.csmGet(`/api/mail/${row.id}`)) as { tls: boolean; tlsVersion: string; tlsCipher: string; tlsServerName: string };
    expect(detail).toMatchObject({ tls: true, tlsVersion: 'TLSv1.3', tlsServerName: 'b.test' });
    expect(detail.tlsCipher).toMatch(/^TLS_/);
    const shown = await cluster.moat(['mail', 'show', row.id]);
    expect(shown.stdout).toMatch(/tls {7}TLSv1\.3, TLS_\w+, SNI b\.test/);
  });

  it('console: generates a CSR, uploads its certificate and lists it as served, under the CSP', async () => {
    const results = fileURLToPath(new URL('../../test-results/', import.meta.url));
    mkdirSync(results, { recursive: true });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, ignoreHTTPSErrors: true, acceptDownloads: true });
      const cspViolations: string[] = [];
      page.on('console', (message) => {
        if (/content security policy/i.test(message.text())) cspViolations.push(message.text());
      });
      await page.goto(cluster.csmUrl);
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill(cluster.adminPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/dashboard');
      await page.getByRole('link', { name: 'Certificates' }).click();
      await page.waitForURL('**/certificates');
      await page.locator('#csr-domain').fill('e.test');
      await page.locator('#key-type').selectOption('ecdsa');
      await page.getByRole('button', { name: 'Generate CSR' }).click();
      const download = page.waitForEvent('download');
      await page.locator('[data-testid="csr-download"]').click();
      const csrFile = join(dir, 'e-console.csr');
      await (await download).saveAs(csrFile);
      const certificate = await sign(await readFile(csrFile, 'utf8'), 'e.test', 'e-console');
      await page.getByLabel('Certificate (PEM)').fill(certificate);
      await page.getByRole('button', { name: 'Upload' }).click();
      await expect.poll(() => page.locator('[data-testid="certificate-uploaded"]').textContent()).toContain('e.test: CN=e.test from CN=test-ca, 59 days left');
      await expect.poll(() => page.locator('[data-domain="e.test"] [data-testid="certificate-status"]').textContent(), { timeout: 10_000 }).toBe('Served');
      await servedFor('e.test', new X509Certificate(certificate).fingerprint256);
      await page.screenshot({ path: `${results}console-certificates.png`, fullPage: true });
      expect(cspViolations).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('refuses TLS 1.0 and 1.1 and negotiates 1.2 and 1.3', async () => {
    // SECLEVEL=0: this openssl would otherwise refuse the old protocols itself, and the test would prove nothing.
    for (const old of ['-tls1', '-tls1_1']) {
      const shake = await handshake('a.test', old, '-cipher', 'DEFAULT@SECLEVEL=0');
      expect(shake.ok, shake.output).toBe(false);
      expect(shake.output).toMatch(/protocol version|unsupported protocol|no protocols available/i);
    }
    expect((await handshake('a.test', '-tls1_2')).protocol).toBe('TLSv1.2');
    expect((await handshake('a.test', '-tls1_3')).protocol).toBe('TLSv1.3');
  });

  it('defers mail when the downstream certificate does not verify, says why, and delivers once the right CA is configured', async () => {
    const sent = await cluster.sendMail(0, { from: 'sender@remote.test', to: 'ops@secure.test', subject: 'tls required' });
    expect(sent.accepted, sent.response).toBe(true);
    const row = await waitFor('the message in the CSM', async () => (await cluster.searchMail(['--subject', 'tls required']))[0]);
    const detail = async () => (await cluster.csmGet(`/api/mail/${row.id}`)) as { deliveries: Array<{ status: string; response: string; attempts: number; tlsVersion: string }> };
    const deferred = await waitFor('a deferred delivery', async () => (await detail()).deliveries.find((d) => d.status === 'deferred'));
    expect(deferred.response).toMatch(/TLS handshake with 127\.0\.0\.1:\d+ failed: .*(certificate|issuer)/i);
    expect(received).toEqual([]);

    const rightCa = await readFile(join(dir, 'test-ca.pem'), 'utf8');
    const policy = (await cluster.csmGet('/api/policy')) as { policy: { domains: Array<{ name: string; downstream: Record<string, unknown> }> } };
    const domains = policy.policy.domains.map((d) => (d.name === 'secure.test' ? { ...d, downstream: { ...d.downstream, caBundle: rightCa } } : d));
    const put = await api('PUT', '/api/policy', { policy: { ...policy.policy, domains }, comment: 'secure.test: the right CA' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await waitFor('delivery over verified TLS', async () => (received.length > 0 ? received : undefined), { timeoutMs: 90_000 });
    expect(received[0]).toMatch(/^tls [\s\S]*Subject: tls required/);
    const delivered = await waitFor('the delivered event', async () => (await detail()).deliveries.find((d) => d.status === 'delivered'));
    expect(delivered.attempts).toBeGreaterThan(1);
    expect(delivered.tlsVersion).toBe('TLSv1.3');
  });
});
