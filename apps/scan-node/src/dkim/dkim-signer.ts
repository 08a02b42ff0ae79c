import type { SigningKey } from '@moat/proto/grpc';
import { sealMessage } from 'mailauth/lib/arc/index.js';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';

/** The header fields signed (RFC 6376 5.4.1 recommendations); absent ones are skipped by the signer. */
export const SIGNED_HEADERS = ['from', 'to', 'cc', 'subject', 'date', 'message-id', 'reply-to', 'mime-version', 'content-type', 'content-transfer-encoding'];

export interface DkimSignature {
  /** The DKIM-Signature field(s), each ending with CRLF, to put on top of the message. */
  header: Buffer;
  domain: string;
  selector: string;
  algorithm: string;
}

/**
 * Signs outbound mail with the active DKIM key of its From domain (or, without a usable From, of its
 * envelope sender's domain). The keys come from the CSM over the authenticated gRPC link (SigningKeys)
 * and are kept in memory only.
 */
export class DkimSigner {
  private keys = new Map<string, SigningKey>();

  /** Replaces every key with KEYS (the whole set, as the CSM sends it). */
  replace(keys: readonly SigningKey[]): void {
    this.keys = new Map(keys.map((k) => [k.domain.toLowerCase(), k]));
  }

  get size(): number {
    return this.keys.size;
  }

  /** The first of DOMAINS with an active key, and that key. */
  keyFor(domains: readonly string[]): { domain: string; key: SigningKey } | undefined {
    for (const domain of domains) {
      const key = this.keys.get(domain.toLowerCase());
      if (key) return { domain: domain.toLowerCase(), key };
    }
    return undefined;
  }

  /** The signature for MESSAGE (the bytes as they will be delivered), or undefined when its domain has no key. */
  async sign(message: Buffer, mailFrom: string): Promise<DkimSignature | undefined> {
    const domain = [fromDomain(message), domainOf(mailFrom)].find((d) => d !== undefined && this.keys.has(d));
    const key = domain === undefined ? undefined : this.keys.get(domain);
    if (!domain || !key) return undefined;
    const signing = { signingDomain: domain, selector: key.selector, privateKey: key.privateKeyPem };
    const result = await dkimSign(message, { ...signing, canonicalization: 'relaxed/relaxed', headerList: SIGNED_HEADERS, signatureData: [signing] });
    if (!result.signatures) throw new Error(`DKIM signing with ${key.selector}._domainkey.${domain} failed: ${result.errors?.map((e) => e.err.message).join('; ') ?? 'no signature'}`);
    return { header: Buffer.from(result.signatures, 'utf8'), domain, selector: key.selector, algorithm: key.algorithm === 'ed25519' ? 'ed25519-sha256' : 'rsa-sha256' };
  }
}

/** An ARC set (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results) to put on top of a relayed message. */
export interface ArcSeal {
  header: Buffer;
  domain: string;
  selector: string;
  instance: number;
  cv: 'none' | 'pass' | 'fail';
}

/**
 * Seals MESSAGE (the bytes as they will be relayed) with an ARC set (RFC 8617) signed by the active key of the
 * first of DOMAINS that has one. AUTHRESULTS is the node's Authentication-Results value of the message as it
 * arrived (authserv-id; results), whose `arc=` result gives the chain validation `cv`; without it (no
 * authentication ran) the payload says `none`, and a message that already carries a chain is not sealed then,
 * since its chain was not validated. Undefined when there is no key or nothing may be sealed.
 */
export async function arcSeal(signer: Pick<DkimSigner, 'keyFor'>, message: Buffer, domains: readonly string[], authResults: string | undefined, authservId: string): Promise<ArcSeal | undefined> {
  const found = signer.keyFor(domains);
  if (!found) return undefined;
  const instances = arcInstances(message);
  const arcResult = authResults ? /(?:^|;)\s*arc=(pass|fail|none)\b/i.exec(authResults)?.[1]?.toLowerCase() : undefined;
  if (instances > 0 && (arcResult === undefined || arcResult === 'none')) return undefined;
  const cv = instances === 0 ? 'none' : arcResult === 'pass' ? 'pass' : 'fail';
  const payload = authResults ? authResults.replace(/\r\n[ \t]+/g, ' ') : `${authservId}; none`;
  const header = await sealMessage(message, { signingDomain: found.domain, selector: found.key.selector, privateKey: found.key.privateKeyPem, cv, authResults: payload, headerList: SIGNED_HEADERS });
  return header.length === 0 ? undefined : { header, domain: found.domain, selector: found.key.selector, instance: instances + 1, cv };
}

/** How many ARC sets MESSAGE's header already has (its ARC-Seal fields). */
function arcInstances(message: Buffer): number {
  const end = message.indexOf('\r\n\r\n');
  const header = message.toString('latin1', 0, end < 0 ? Math.min(message.length, 65536) : end + 2);
  return header.split(/\r\n(?![ \t])/).filter((field) => /^arc-seal:/i.test(field)).length;
}

/** The domain of the (first) From address of MESSAGE's header, lower-case; undefined when there is none. */
export function fromDomain(message: Buffer): string | undefined {
  const end = message.indexOf('\r\n\r\n');
  const header = message.toString('latin1', 0, end < 0 ? Math.min(message.length, 65536) : end + 2);
  let value: string | undefined;
  for (const field of header.split(/\r\n(?![ \t])/)) {
    if (/^from:/i.test(field)) {
      value = field.slice(5).replace(/\r\n/g, '');
      break;
    }
  }
  if (value === undefined) return undefined;
  const open = value.indexOf('<');
  const address = open >= 0 ? value.slice(open + 1, value.indexOf('>', open) < 0 ? undefined : value.indexOf('>', open)) : value.split(',')[0] ?? '';
  return domainOf(address.trim());
}

function domainOf(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  const domain = at < 0 ? '' : address.slice(at + 1).trim().toLowerCase();
  return /^[a-z0-9.-]{1,253}$/.test(domain) ? domain : undefined;
}
