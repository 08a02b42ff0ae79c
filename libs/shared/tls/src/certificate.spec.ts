import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CertificateError, daysLeft, parseCertificates, parsePrivateKey, validateCertificate } from './certificate.js';
import { generateKeyAndCsr } from './csr.js';
import { certificateDomain } from './domain.js';

const dir = mkdtempSync(join(tmpdir(), 'moat-cert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

/** A root and an intermediate CA made with openssl, and a server certificate for a CSR signed by the intermediate. */
function pki(): { root: string; intermediate: string; sign: (csr: string, name: string, days?: string) => string } {
  writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n');
  writeFileSync(join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:mail.a.test\n');
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/CN=Test Root', '-days', '30');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=Test Intermediate');
  openssl('x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'int.pem', '-days', '30', '-extfile', 'ca.ext');
  return {
    root: readFileSync(join(dir, 'root.pem'), 'utf8'),
    intermediate: readFileSync(join(dir, 'int.pem'), 'utf8'),
    sign: (csr, name, days = '10') => {
      writeFileSync(join(dir, `${name}.csr`), csr);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'int.pem', '-CAkey', 'int.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', days, '-extfile', 'leaf.ext');
      return readFileSync(join(dir, `${name}.pem`), 'utf8');
    },
  };
}

describe('validateCertificate', () => {
  const ca = pki();

  it('accepts a certificate signed for the CSR with its chain, and reports names, issuer and expiry', async () => {
    const { key, csr } = await generateKeyAndCsr('mail.a.test', 'ecdsa');
    const cert = ca.sign(csr, 'good');
    const valid = validateCertificate('mail.a.test', cert, ca.intermediate, parsePrivateKey(key));
    expect(valid.info).toMatchObject({ subject: 'CN=mail.a.test', sans: ['mail.a.test'], issuer: 'CN=Test Intermediate' });
    expect(daysLeft(valid.info.notAfterMs)).toBe(9);
    expect(parseCertificates(valid.chain, 'chain')).toHaveLength(1);
    // The chain may also follow the certificate in one file.
    expect(validateCertificate('mail.a.test', cert + ca.intermediate, '', parsePrivateKey(key)).chain).toBe(valid.chain);
  });

  it('refuses, with the reason, a certificate for another key, another name, a broken chain or garbage', async () => {
    const { key, csr } = await generateKeyAndCsr('mail.a.test', 'rsa');
    const other = await generateKeyAndCsr('mail.a.test', 'rsa');
    const cert = ca.sign(csr, 'refused');
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(CertificateError);
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(reason(() => validateCertificate('mail.a.test', cert, '', parsePrivateKey(other.key)))).toContain('does not match the private key');
    expect(reason(() => validateCertificate('mail.b.test', cert, '', parsePrivateKey(key)))).toContain('is not valid for mail.b.test (names: mail.a.test)');
    expect(reason(() => validateCertificate('mail.a.test', cert, ca.root, parsePrivateKey(key)))).toContain('did not issue CN=mail.a.test');
    expect(reason(() => validateCertificate('mail.a.test', 'hello', '', parsePrivateKey(key)))).toContain('no PEM certificate');
    expect(reason(() => validateCertificate('mail.a.test', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', '', parsePrivateKey(key)))).toContain('does not parse');
    expect(reason(() => validateCertificate('mail.a.test', ca.root, '', parsePrivateKey(key)))).toContain('CA certificate');
    expect(reason(() => parsePrivateKey('not a key'))).toContain('not a usable');
    expect(reason(() => validateCertificate('mail.a.test', cert, '', parsePrivateKey(key), Date.now() + 20 * 86_400_000))).toContain('expired on');
  });

  it('parses a long run of base64 without a closing line in linear time', () => {
    const hostile = `-----BEGIN CERTIFICATE-----${'A'.repeat(60_000)}`;
    const started = performance.now();
    expect(() => parseCertificates(hostile, 'certificate')).toThrow('no PEM certificate');
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('certificateDomain', () => {
  it('keeps DNS names and wildcards in lower case and refuses anything else', () => {
    expect(certificateDomain('Mail.A.test')).toBe('mail.a.test');
    expect(certificateDomain('*.a.test')).toBe('*.a.test');
    for (const bad of ['', 'localhost', 'a..test', '-a.test', 'a.test/x', '*.test', `${'a'.repeat(64)}.test`, 'a b.test']) expect(certificateDomain(bad)).toBeUndefined();
  });
});
