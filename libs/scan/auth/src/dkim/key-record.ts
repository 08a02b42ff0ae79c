import { DnsError, noRecordCodes, type DnsResolver } from '../resolver.js';
import { parseTagList, TagListError, withoutFws } from '../tag-list.js';
import type { SignatureTags } from './signature-tags.js';

/** Why the key cannot verify this signature: permerror (PERMFAIL) or temperror (TEMPFAIL), RFC 6376 6.1.2. */
export interface KeyProblem {
  result: 'permerror' | 'temperror';
  reason: string;
}

const list = (value: string | undefined): string[] | undefined => (value === undefined ? undefined : withoutFws(value).split(':'));

/**
 * RFC 4871 section 3.6.1 g= (granularity): dropped by RFC 6376, still honoured here when a key publishes it,
 * because it only ever narrows what the domain owner allows. One "*" matches any run of characters.
 */
function granularityMatches(pattern: string, localPart: string): boolean {
  if (pattern === '') return false;
  const [head, tail] = pattern.split('*');
  if (tail === undefined) return pattern === localPart;
  return localPart.length >= head.length + tail.length && localPart.startsWith(head) && localPart.endsWith(tail);
}

/** Checks the key record a signature names against the signature (section 3.6.1). */
export async function checkKey(signature: SignatureTags, resolver: DnsResolver): Promise<KeyProblem | undefined> {
  const name = `${signature.selector}._domainkey.${signature.domain}`;
  let records: string[][];
  try {
    records = await resolver.query(name, 'TXT');
  } catch (error) {
    if (!(error instanceof DnsError)) throw error;
    if (noRecordCodes.has(error.code)) return { result: 'permerror', reason: `no key at ${name}` };
    return { result: 'temperror', reason: `DNS ${error.code} for key ${name}` };
  }
  let tags: Map<string, string>;
  try {
    tags = parseTagList(records[0].join(''));
  } catch (error) {
    if (error instanceof TagListError) return { result: 'permerror', reason: `key syntax: ${error.message}` };
    throw error;
  }
  if (tags.has('v') && tags.get('v') !== 'DKIM1') return { result: 'permerror', reason: `unsupported key version v=${tags.get('v')}` };
  const keyType = (tags.get('k') ?? 'rsa').toLowerCase();
  if (keyType !== signature.algorithm.split('-')[0]) return { result: 'permerror', reason: `key type k=${keyType} does not fit a=${signature.algorithm}` };
  if (!tags.has('p')) return { result: 'permerror', reason: 'key has no p= tag' };
  const publicKey = withoutFws(tags.get('p') ?? '');
  if (publicKey === '') return { result: 'permerror', reason: 'key revoked (empty p=)' };
  // RFC 8463 section 4: an Ed25519 key is the 32 raw octets of the public key.
  if (keyType === 'ed25519' && Buffer.from(publicKey, 'base64').length !== 32) return { result: 'permerror', reason: 'Ed25519 key is not 32 octets' };
  const hashes = list(tags.get('h'));
  if (hashes && !hashes.map((hash) => hash.toLowerCase()).includes(signature.algorithm.split('-')[1])) {
    return { result: 'permerror', reason: `key h=${tags.get('h')} does not allow ${signature.algorithm}` };
  }
  const services = list(tags.get('s'));
  if (services && !services.some((service) => service === '*' || service.toLowerCase() === 'email')) {
    return { result: 'permerror', reason: `key s=${tags.get('s')} is not for email` };
  }
  const at = signature.identity.lastIndexOf('@');
  const flags = list(tags.get('t')) ?? [];
  if (flags.includes('s') && signature.identity.slice(at + 1).toLowerCase() !== signature.domain.toLowerCase()) {
    return { result: 'permerror', reason: 'key t=s requires i= to be in d= itself, not a subdomain' };
  }
  const granularity = tags.get('g');
  if (granularity !== undefined && !granularityMatches(granularity, signature.identity.slice(0, at))) {
    return { result: 'permerror', reason: `key g=${granularity} does not match i=${signature.identity}` };
  }
  return undefined;
}
