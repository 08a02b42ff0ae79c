import { selfSignedCertificate } from '@moat/tls';
import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { daneMismatch, tlsaText, usableTlsa, type Tlsa } from './dane.js';

describe('DANE (RFC 7672)', () => {
  it('keeps only the usages SMTP uses, DANE-TA and DANE-EE', () => {
    const record = (usage: number, selector = 1, matchingType = 1): Tlsa => ({ usage, selector, matchingType, certificate: Buffer.from('ab', 'hex') });
    expect(usableTlsa([record(0), record(1), record(2), record(3), record(3, 2), record(3, 1, 3)]).map(tlsaText)).toEqual(['2 1 1 ab', '3 1 1 ab']);
  });

  it('accepts a leaf that a DANE-EE record names, whatever its names and dates, and refuses another', async () => {
    const leaf = new X509Certificate((await selfSignedCertificate('someone-else.test', ['someone-else.test'])).cert);
    const other = new X509Certificate((await selfSignedCertificate('mx.remote.test', ['mx.remote.test'])).cert);
    const spki = leaf.publicKey.export({ type: 'spki', format: 'der' });
    const bySpki: Tlsa = { usage: 3, selector: 1, matchingType: 1, certificate: createHash('sha256').update(spki).digest() };
    const byCert: Tlsa = { usage: 3, selector: 0, matchingType: 2, certificate: createHash('sha512').update(leaf.raw).digest() };
    const exact: Tlsa = { usage: 3, selector: 0, matchingType: 0, certificate: leaf.raw };
    for (const record of [bySpki, byCert, exact]) expect(daneMismatch([record], [leaf], 'mx.remote.test')).toBeUndefined();
    expect(daneMismatch([bySpki], [other], 'mx.remote.test')).toContain('matches');
    expect(daneMismatch([bySpki], [], 'mx.remote.test')).toContain('no certificate');
  });
});
