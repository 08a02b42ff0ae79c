import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from './index.js';

describe('selfSignedCertificate', () => {
  it('makes a server certificate for the given DNS names and IP addresses, matching its key', async () => {
    const { key, cert } = await selfSignedCertificate('moat.test', ['localhost', '127.0.0.1', '::1', 'localhost']);
    const x509 = new X509Certificate(cert);
    expect(x509.subject).toBe('CN=moat.test');
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 24 * 3600 * 1000);
  });
});
