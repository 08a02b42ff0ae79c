import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

/** What the console and CLI show of an installed certificate (never its key). */
export interface CertificateInfo {
  subject: string;
  /** DNS names and IP addresses of the subjectAltName. */
  sans: string[];
  issuer: string;
  notBeforeMs: number;
  notAfterMs: number;
  /** SHA-256 fingerprint, colon-separated hex. */
  fingerprint: string;
}

/** A certificate, its chain or its key that cannot be used; the message says why. */
export class CertificateError extends Error {
  override name = 'CertificateError';
}

const MAX_PEM_BYTES = 64 * 1024;
const MAX_CHAIN_CERTIFICATES = 8;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]*-----END CERTIFICATE-----/g;

/** The PEM CERTIFICATE blocks in TEXT, each parsed; CertificateError when one does not parse or none is there. */
export function parseCertificates(text: string, what: string): X509Certificate[] {
  if (text.length > MAX_PEM_BYTES) throw new CertificateError(`${what}: more than ${MAX_PEM_BYTES} bytes`);
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new CertificateError(`${what}: no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new CertificateError(`${what}: certificate ${i + 1} does not parse: ${(err as Error).message}`);
    }
  });
}

/** A PEM private key; CertificateError when it does not parse or is encrypted. */
export function parsePrivateKey(pem: string): KeyObject {
  if (pem.length > MAX_PEM_BYTES) throw new CertificateError(`key: more than ${MAX_PEM_BYTES} bytes`);
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new CertificateError(`key: not a usable unencrypted PEM private key: ${(err as Error).message}`);
  }
}

export interface ValidCertificate {
  info: CertificateInfo;
  /** The leaf certificate as PEM. */
  certificate: string;
  /** The intermediates as PEM, leaf's issuer first (may be empty). */
  chain: string;
}

/**
 * Checks that CERTIFICATE (the first PEM block; further blocks are taken as chain) belongs to KEY, names DOMAIN,
 * is in its validity period at NOW, and that each certificate of CHAIN issued and signed the one before it.
 * Throws CertificateError with the first reason it cannot be served.
 */
export function validateCertificate(domain: string, certificate: string, chain: string, key: KeyObject, now = Date.now()): ValidCertificate {
  const [leaf, ...extra] = parseCertificates(certificate, 'certificate');
  if (!leaf) throw new CertificateError('certificate: none given');
  const intermediates = [...extra, ...(chain.trim() ? parseCertificates(chain, 'chain') : [])];
  if (intermediates.length > MAX_CHAIN_CERTIFICATES) throw new CertificateError(`chain: more than ${MAX_CHAIN_CERTIFICATES} certificates`);
  if (leaf.ca) throw new CertificateError('certificate: is a CA certificate, not a server certificate');
  if (!leaf.checkPrivateKey(key)) throw new CertificateError(`certificate: does not match the private key kept for ${domain}`);
  if (!leaf.checkHost(domain, { wildcards: true, subject: 'default' })) throw new CertificateError(`certificate: is not valid for ${domain} (names: ${namesOf(leaf).join(', ') || leaf.subject})`);
  const info = certificateInfo(leaf);
  if (info.notAfterMs < now) throw new CertificateError(`certificate: expired on ${new Date(info.notAfterMs).toISOString()}`);
  if (info.notBeforeMs > now) throw new CertificateError(`certificate: not valid before ${new Date(info.notBeforeMs).toISOString()}`);
  let child = leaf;
  for (const [i, issuer] of intermediates.entries()) {
    if (!child.checkIssued(issuer) || !child.verify(issuer.publicKey)) {
      throw new CertificateError(`chain: certificate ${i + 1} (${oneLine(issuer.subject)}) did not issue ${oneLine(child.subject)}`);
    }
    child = issuer;
  }
  return { info, certificate: leaf.toString(), chain: intermediates.map((c) => c.toString()).join('') };
}

export function certificateInfo(cert: X509Certificate): CertificateInfo {
  return {
    subject: oneLine(cert.subject),
    sans: namesOf(cert),
    issuer: oneLine(cert.issuer),
    notBeforeMs: cert.validFromDate.getTime(),
    notAfterMs: cert.validToDate.getTime(),
    fingerprint: cert.fingerprint256,
  };
}

/** Whole days from NOW until NOTAFTERMS (negative once expired). */
export function daysLeft(notAfterMs: number, now = Date.now()): number {
  return Math.floor((notAfterMs - now) / 86_400_000);
}

function namesOf(cert: X509Certificate): string[] {
  const names: string[] = [];
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) names.push(entry.slice(4));
    else if (entry.startsWith('IP Address:')) names.push(entry.slice(11));
  }
  return names;
}

function oneLine(name: string): string {
  return name.split('\n').join(', ');
}
