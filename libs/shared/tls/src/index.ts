import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export { CertificateError, certificateInfo, daysLeft, parseCertificates, parsePrivateKey, validateCertificate, type CertificateInfo, type ValidCertificate } from './certificate.js';
export { generateKeyAndCsr, KEY_TYPES, type KeyAndCsr, type KeyType } from './csr.js';
export { certificateDomain } from './domain.js';
export { createCertificateAuthority, issueClientCertificate, requestPublicKey, type CertificateAuthority, type IssuedCertificate } from './node-ca.js';

export interface SelfSignedCertificate {
  /** PEM private key. */
  key: string;
  /** PEM certificate. */
  cert: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * A self-signed server certificate (RSA 2048, SHA-256, ten years) for COMMONNAME, valid for NAMES (DNS names
 * and IP addresses, in the subjectAltName), so TLS works out of the box until an administrator installs a real one.
 */
export async function selfSignedCertificate(commonName: string, names: string[]): Promise<SelfSignedCertificate> {
  const now = new Date();
  const generated = await generate([{ name: 'commonName', value: commonName }], {
    // RSA: selfsigned's EC path fails with the @peculiar/asn1-schema copies this workspace resolves.
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + TEN_YEARS_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...new Set(names)].map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })) },
    ],
  });
  return { key: generated.private, cert: generated.cert };
}
