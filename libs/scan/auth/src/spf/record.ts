import { parseAddress, type Address } from './ip.js';
import { parseDomainSpec, SpfSyntaxError, tokenize, type MacroToken } from './macro.js';

/**
 * The SPF record grammar (RFC 7208 sections 4.5, 4.6.1, 5, 6 and 12). The whole record is checked before
 * anything is evaluated: a syntax error anywhere is permerror, even after a matching mechanism.
 */

export type Qualifier = '+' | '-' | '~' | '?';

export type Mechanism =
  | { kind: 'all' }
  | { kind: 'include' | 'exists'; domain: MacroToken[] }
  | { kind: 'a' | 'mx'; domain?: MacroToken[]; ip4Prefix: number; ip6Prefix: number }
  | { kind: 'ptr'; domain?: MacroToken[] }
  | { kind: 'ip4' | 'ip6'; network: Address; prefix: number };

export interface Directive {
  qualifier: Qualifier;
  mechanism: Mechanism;
  /** The term as written, for the result's detail */
  text: string;
}

export interface SpfRecord {
  directives: Directive[];
  redirect?: MacroToken[];
  exp?: MacroToken[];
}

/** "v=spf1" followed by a space or the end of the record (section 4.5). */
export function isSpfRecord(text: string): boolean {
  return /^v=spf1( |$)/i.test(text);
}

function prefix(text: string | undefined, max: number, term: string): number {
  if (text === undefined) return max;
  // ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT); ip6 likewise up to three digits: no leading zeros.
  if (!/^(0|[1-9]\d*)$/.test(text) || Number(text) > max) throw new SpfSyntaxError(`bad CIDR length in "${term}"`);
  return Number(text);
}

const qnum = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ip4Network = new RegExp(`^${qnum}\\.${qnum}\\.${qnum}\\.${qnum}$`);

function mechanism(name: string, rest: string, term: string): Mechanism {
  switch (name) {
    case 'all':
      if (rest !== '') break;
      return { kind: 'all' };
    case 'include':
    case 'exists':
      if (!rest.startsWith(':')) break;
      return { kind: name, domain: parseDomainSpec(rest.slice(1)) };
    case 'a':
    case 'mx': {
      // The domain-spec may itself hold "/", so the CIDR lengths are taken only as trailing digits.
      const parts = /^(?::(.*?))?(?:\/(\d+))?(?:\/\/(\d+))?$/s.exec(rest);
      if (!parts) break;
      return {
        kind: name,
        domain: parts[1] === undefined ? undefined : parseDomainSpec(parts[1]),
        ip4Prefix: prefix(parts[2], 32, term),
        ip6Prefix: prefix(parts[3], 128, term),
      };
    }
    case 'ptr':
      if (rest !== '' && !rest.startsWith(':')) break;
      return { kind: 'ptr', domain: rest === '' ? undefined : parseDomainSpec(rest.slice(1)) };
    case 'ip4':
    case 'ip6': {
      const parts = /^:([^/]+)(?:\/(.*))?$/s.exec(rest);
      const valid = parts && (name === 'ip4' ? ip4Network.test(parts[1]) : parts[1].includes(':'));
      const network = valid ? parseAddress(parts[1]) : undefined;
      if (!parts || !network) throw new SpfSyntaxError(`bad network in "${term}"`);
      // An ip6 network is compared as IPv6 even when written as an IPv4-mapped address.
      const asWritten: Address = name === 'ip6' && network.family === 4 ? { family: 6, bits: network.bits | 0xffff00000000n } : network;
      return { kind: name, network: asWritten, prefix: prefix(parts[2], name === 'ip4' ? 32 : 128, term) };
    }
    default:
      throw new SpfSyntaxError(`unknown mechanism "${term}"`);
  }
  throw new SpfSyntaxError(`bad mechanism "${term}"`);
}

export function parseRecord(text: string): SpfRecord {
  const record: SpfRecord = { directives: [] };
  // terms = *( 1*SP ( directive / modifier ) ), record = version terms *SP
  const terms = text.slice('v=spf1'.length).split(' ').filter((term) => term !== '');
  for (const term of terms) {
    const modifier = /^([A-Za-z][A-Za-z0-9\-_.]*)=(.*)$/s.exec(term);
    if (modifier) {
      const name = modifier[1].toLowerCase();
      if (name === 'redirect' || name === 'exp') {
        if (record[name]) throw new SpfSyntaxError(`${name}= appears more than once`);
        record[name] = parseDomainSpec(modifier[2]);
      } else {
        tokenize(modifier[2]);
      }
      continue;
    }
    const directive = /^([+\-~?]?)([A-Za-z][A-Za-z0-9]*)(?![A-Za-z0-9])(.*)$/s.exec(term);
    if (!directive) throw new SpfSyntaxError(`"${term}" is neither a mechanism nor a modifier`);
    const qualifier = (directive[1] || '+') as Qualifier;
    record.directives.push({ qualifier, mechanism: mechanism(directive[2].toLowerCase(), directive[3], term), text: term });
  }
  return record;
}
