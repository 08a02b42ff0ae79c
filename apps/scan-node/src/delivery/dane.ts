import type { DnsAnswers } from '@moat/auth';
import { createHash, X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

export type Tlsa = DnsAnswers['TLSA'][number];

/** TLSA certificate usages SMTP uses (RFC 7672 section 3.1): DANE-TA(2) and DANE-EE(3); PKIX-TA(0) and PKIX-EE(1) are unusable there. */
const DANE_TA = 2;
const DANE_EE = 3;

/** The records a client can use (RFC 7672 section 3.1.3); when none is left, the MX host is treated as having no TLSA records. */
export function usableTlsa(records: readonly Tlsa[]): Tlsa[] {
  return records.filter((r) => (r.usage === DANE_TA || r.usage === DANE_EE) && (r.selector === 0 || r.selector === 1) && r.matchingType >= 0 && r.matchingType <= 2);
}

/** One line per record, as in a zone file ("3 1 1 <hex>"): what a delivery log and a connection key show. */
export function tlsaText(record: Tlsa): string {
  return `${record.usage} ${record.selector} ${record.matchingType} ${record.certificate.toString('hex')}`;
}

function matches(record: Tlsa, cert: X509Certificate): boolean {
  const data = record.selector === 0 ? cert.raw : cert.publicKey.export({ type: 'spki', format: 'der' });
  const digest = record.matchingType === 0 ? data : createHash(record.matchingType === 1 ? 'sha256' : 'sha512').update(data).digest();
  return digest.equals(record.certificate);
}

/** The chain the server presented, leaf first, from `getPeerCertificate(true)`. */
export function presentedChain(peer: PeerCertificate & { issuerCertificate?: PeerCertificate }): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let cert: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = peer;
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * Whether CHAIN (leaf first) satisfies RECORDS for the MX host HOST (RFC 7672 section 3.1): a DANE-EE record
 * matching the leaf (no name or date check, section 3.1.1), or a DANE-TA record matching a certificate of the
 * chain that signs its way down to a leaf valid now for HOST (section 3.1.2). Undefined when it does; else why not.
 */
export function daneMismatch(records: readonly Tlsa[], chain: readonly X509Certificate[], host: string, nowMs = Date.now()): string | undefined {
  const leaf = chain[0];
  if (!leaf) return 'the server presented no certificate';
  if (records.some((r) => r.usage === DANE_EE && matches(r, leaf))) return undefined;
  const anchor = chain.findIndex((cert, index) => index > 0 && records.some((r) => r.usage === DANE_TA && matches(r, cert)));
  if (anchor < 0) return `no certificate the server presented matches the TLSA records of ${host}`;
  for (let i = 0; i < anchor; i++) {
    const issuer = chain[i + 1]!;
    if (!chain[i]!.checkIssued(issuer) || !chain[i]!.verify(issuer.publicKey)) return `the certificate chain of ${host} is broken below its trust anchor`;
  }
  if (Date.parse(leaf.validFrom) > nowMs || Date.parse(leaf.validTo) < nowMs) return `the certificate of ${host} is not valid now`;
  const nameProblem = checkServerIdentity(host, leaf.toLegacyObject());
  return nameProblem ? `the certificate is not for ${host}: ${nameProblem.message}` : undefined;
}
