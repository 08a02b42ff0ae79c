import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CertificateError } from './certificate.js';
import { generateKeyAndCsr } from './csr.js';
import { createCertificateAuthority, issueClientCertificate, requestPublicKey } from './node-ca.js';

const dir = mkdtempSync(join(tmpdir(), 'moat-node-ca-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('node CA', () => {
  const ca = createCertificateAuthority('Moat node CA', 3650);

  it('makes a CA certificate openssl accepts as a CA', () => {
    writeFileSync(join(dir, 'ca.pem'), ca.certificate);
    const text = openssl('x509', '-in', 'ca.pem', '-noout', '-text');
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(text).toContain('Certificate Sign, CRL Sign');
    expect(new X509Certificate(ca.certificate).ca).toBe(true);
  });

  it.each(['rsa', 'ecdsa'] as const)('issues a client certificate for a %s request that verifies against the CA, named for the client', async (keyType) => {
    const { key, csr } = await generateKeyAndCsr('whatever.invalid', keyType);
    const issued = issueClientCertificate(ca, csr, '3f2c0a4e-8d1b-4b7e-9c55-0f6f1f1e2d3c', 365);
    const file = join(dir, `client-${keyType}.pem`);
    writeFileSync(file, issued.certificate);
    expect(openssl('verify', '-CAfile', 'ca.pem', '-purpose', 'sslclient', file)).toContain(': OK');
    const cert = new X509Certificate(issued.certificate);
    expect(cert.subject).toBe('CN=3f2c0a4e-8d1b-4b7e-9c55-0f6f1f1e2d3c');
    expect(cert.subjectAltName).toBe('DNS:3f2c0a4e-8d1b-4b7e-9c55-0f6f1f1e2d3c');
    expect(cert.serialNumber).toBe(issued.serial);
    expect(cert.ca).toBe(false);
    expect(cert.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(openssl('x509', '-in', file, '-noout', '-text')).toContain('TLS Web Client Authentication');
  });

  it('refuses a request whose signature does not verify, garbage, and a name that is not a host label', async () => {
    const { csr } = await generateKeyAndCsr('a.test', 'ecdsa');
    const body = csr.split('\n').slice(1, -2).join('');
    const der = Buffer.from(body, 'base64');
    const last = der.length - 1;
    der[last] = (der[last] ?? 0) ^ 0xff;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(() => requestPublicKey(tampered)).toThrow(CertificateError);
    expect(() => requestPublicKey('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----')).toThrow(CertificateError);
    expect(() => requestPublicKey('nothing')).toThrow(/no PEM block/);
    expect(() => issueClientCertificate(ca, csr, 'a b', 1)).toThrow(/letters, digits/);
  });
});
