import { DnsError, isQueryableName, noRecordCodes, type DnsResolver } from '../resolver.js';
import { formatAddress, inNetwork, ipv6Groups, parseAddress, reverseName, type Address } from './ip.js';
import { expand, SpfSyntaxError, tokenize, truncateName, type MacroToken, type MacroValues } from './macro.js';
import { isSpfRecord, parseRecord, type Directive, type Qualifier, type SpfRecord } from './record.js';

/**
 * check_host() of RFC 7208, our own implementation: the suite (rfc7208-tests.yml) found the library's SPF
 * lenient where the RFC is not (exp=, %{p}, long labels, HELO literals, names outside hostname syntax).
 */

export type SpfResultCode = 'none' | 'neutral' | 'pass' | 'fail' | 'softfail' | 'temperror' | 'permerror';

export interface SpfQuery {
  /** Client IP address */
  ip: string;
  /** MAIL FROM address; empty for the null reverse-path, then the HELO identity is checked (section 2.4) */
  sender: string;
  helo: string;
  /** Our host name, for %{r} */
  receiver?: string;
}

export interface SpfOutcome {
  result: SpfResultCode;
  identity: 'mailfrom' | 'helo';
  /** The domain whose policy was checked */
  domain: string;
  sender: string;
  /** The matching mechanism as written, when one matched */
  mechanism?: string;
  /** The domain owner's explanation of a fail (exp=), third-party text */
  explanation?: string;
  /** Why, in a few words */
  reason: string;
  lookups: number;
}

const lookupLimit = 10;
const voidLimit = 2;
const mxAddressLimit = 10;
const ptrNameLimit = 10;
const qualifierResults: Record<Qualifier, SpfResultCode> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

/** Ends the whole evaluation with temperror or permerror. */
class SpfAbort extends Error {
  constructor(
    readonly result: 'temperror' | 'permerror',
    message: string,
  ) {
    super(message);
  }
}

interface Evaluation {
  resolver: DnsResolver;
  client: Address;
  query: SpfQuery;
  sender: string;
  lookups: number;
  voids: number;
}

interface HostResult {
  result: SpfResultCode;
  reason: string;
  mechanism?: string;
  explanation?: string;
}

/** Section 4.3: a domain check_host() can work on is a multi-label name DNS can carry, not a literal. */
function isValidDomain(domain: string): boolean {
  const bare = domain.replace(/\.$/, '');
  return isQueryableName(bare) && bare.includes('.') && !bare.startsWith('[');
}

function dnsCode(error: unknown): string {
  if (error instanceof DnsError) return error.code;
  throw error;
}

function macroValues(evaluation: Evaluation, domain: string): MacroValues {
  const { client, query, sender } = evaluation;
  const at = sender.lastIndexOf('@');
  const written = parseAddress(query.ip.trim()) ?? client;
  const dotted =
    client.family === 4
      ? formatAddress(client)
      : // Nibbles as the address was written (case kept), the way %{ir}.%{v}.arpa names are published.
        (written.family === 6 ? ipv6Groups(query.ip.trim()) : ipv6Groups(formatAddress(client))).join('').split('').join('.');
  return {
    sender,
    localPart: sender.slice(0, at),
    senderDomain: sender.slice(at + 1),
    domain,
    ipDotted: dotted,
    ipReadable: formatAddress(client),
    ipVersion: client.family === 4 ? 'in-addr' : 'ip6',
    helo: query.helo,
    receiver: query.receiver ?? 'unknown',
    validatedName: () => validatedName(evaluation, domain),
  };
}

/** Names from the client's PTR records whose A/AAAA records lead back to the client (section 5.5). */
async function confirmedNames(evaluation: Evaluation, limitNames: number): Promise<string[]> {
  const { resolver, client } = evaluation;
  const names = (await resolver.query(reverseName(client), 'PTR')).slice(0, limitNames);
  const confirmed: string[] = [];
  for (const name of names) {
    try {
      const addresses = await resolver.query(name, client.family === 4 ? 'A' : 'AAAA');
      if (addresses.some((text) => parseAddress(text)?.bits === client.bits)) {
        confirmed.push(name.replace(/\.$/, ''));
      }
    } catch (error) {
      // A name whose address lookup fails is skipped (section 5.5).
      dnsCode(error);
    }
  }
  return confirmed;
}

const isSameOrSubdomain = (name: string, domain: string): boolean => {
  const [child, parent] = [name.toLowerCase().replace(/\.$/, ''), domain.toLowerCase().replace(/\.$/, '')];
  return child === parent || child.endsWith(`.${parent}`);
};

/** %{p} (section 7.3): a validated name of the client, the target domain or a subdomain first. */
async function validatedName(evaluation: Evaluation, domain: string): Promise<string> {
  try {
    const names = await confirmedNames(evaluation, ptrNameLimit);
    return names.find((name) => name.toLowerCase() === domain.toLowerCase()) ?? names.find((name) => isSameOrSubdomain(name, domain)) ?? names[0] ?? 'unknown';
  } catch (error) {
    dnsCode(error);
    return 'unknown';
  }
}

function countLookup(evaluation: Evaluation): void {
  if (++evaluation.lookups > lookupLimit) throw new SpfAbort('permerror', `more than ${lookupLimit} DNS lookups`);
}

/**
 * A mechanism's own lookup: the answer, or [] for a void answer (NXDOMAIN / no records, counted against the
 * void limit) and for a name DNS cannot carry (treated as non-existent); other failures are temperror.
 */
async function mechanismLookup<T extends 'A' | 'AAAA' | 'MX' | 'PTR'>(evaluation: Evaluation, name: string, type: T, countVoid = true) {
  try {
    return await evaluation.resolver.query(name, type);
  } catch (error) {
    const code = dnsCode(error);
    if (code === 'EBADNAME') return [];
    if (!noRecordCodes.has(code)) throw new SpfAbort('temperror', `DNS ${code} for ${type} ${name}`);
    if (countVoid && ++evaluation.voids > voidLimit) throw new SpfAbort('permerror', `more than ${voidLimit} void DNS lookups`);
    return [];
  }
}

async function targetName(evaluation: Evaluation, domain: string, spec: MacroToken[] | undefined): Promise<string> {
  return spec ? truncateName(await expand(spec, macroValues(evaluation, domain))) : domain;
}

async function addressesMatch(evaluation: Evaluation, name: string, ip4Prefix: number, ip6Prefix: number, countVoid: boolean): Promise<boolean> {
  const { client } = evaluation;
  const addresses = await mechanismLookup(evaluation, name, client.family === 4 ? 'A' : 'AAAA', countVoid);
  return addresses.some((text) => {
    const address = parseAddress(text);
    return address !== undefined && inNetwork(client, address, client.family === 4 ? ip4Prefix : ip6Prefix);
  });
}

async function matches(evaluation: Evaluation, domain: string, directive: Directive): Promise<boolean> {
  const { mechanism } = directive;
  switch (mechanism.kind) {
    case 'all':
      return true;
    case 'ip4':
    case 'ip6':
      return inNetwork(evaluation.client, mechanism.network, mechanism.prefix);
    case 'a':
      countLookup(evaluation);
      return addressesMatch(evaluation, await targetName(evaluation, domain, mechanism.domain), mechanism.ip4Prefix, mechanism.ip6Prefix, true);
    case 'mx': {
      countLookup(evaluation);
      const exchanges = await mechanismLookup(evaluation, await targetName(evaluation, domain, mechanism.domain), 'MX');
      if (exchanges.length > mxAddressLimit) throw new SpfAbort('permerror', `more than ${mxAddressLimit} MX records`);
      for (const { exchange } of exchanges) {
        if (await addressesMatch(evaluation, exchange, mechanism.ip4Prefix, mechanism.ip6Prefix, false)) return true;
      }
      return false;
    }
    case 'ptr': {
      countLookup(evaluation);
      const target = await targetName(evaluation, domain, mechanism.domain);
      try {
        return (await confirmedNames(evaluation, ptrNameLimit)).some((name) => isSameOrSubdomain(name, target));
      } catch (error) {
        // A failed PTR lookup makes the mechanism not match (section 5.5).
        dnsCode(error);
        return false;
      }
    }
    case 'exists': {
      countLookup(evaluation);
      // Always an A lookup, whatever the client's address family (section 5.7).
      return (await mechanismLookup(evaluation, await targetName(evaluation, domain, mechanism.domain), 'A')).length > 0;
    }
    case 'include': {
      countLookup(evaluation);
      const included = await checkHost(evaluation, await targetName(evaluation, domain, mechanism.domain), false);
      // Section 5.2: only pass matches; temperror and permerror end the evaluation, none is permerror.
      if (included.result === 'temperror' || included.result === 'permerror') throw new SpfAbort(included.result, `include: ${included.reason}`);
      if (included.result === 'none') throw new SpfAbort('permerror', `include: ${included.reason}`);
      return included.result === 'pass';
    }
  }
}

/** Section 6.2: the explanation of a fail, or nothing when anything about it is wrong. */
async function explanation(evaluation: Evaluation, domain: string, spec: MacroToken[]): Promise<string | undefined> {
  try {
    const name = await targetName(evaluation, domain, spec);
    const records = await evaluation.resolver.query(name, 'TXT');
    if (records.length !== 1) return undefined;
    return await expand(tokenize(records[0].join(''), true), macroValues(evaluation, domain));
  } catch (error) {
    if (error instanceof SpfSyntaxError || error instanceof DnsError) return undefined;
    throw error;
  }
}

async function fetchRecord(evaluation: Evaluation, domain: string): Promise<SpfRecord | HostResult> {
  let texts: string[];
  try {
    texts = (await evaluation.resolver.query(domain, 'TXT')).map((strings) => strings.join(''));
  } catch (error) {
    const code = dnsCode(error);
    if (noRecordCodes.has(code) || code === 'EBADNAME') return { result: 'none', reason: `no SPF record at ${domain}` };
    return { result: 'temperror', reason: `DNS ${code} for TXT ${domain}` };
  }
  const records = texts.filter(isSpfRecord);
  if (records.length === 0) return { result: 'none', reason: `no SPF record at ${domain}` };
  if (records.length > 1) return { result: 'permerror', reason: `${records.length} SPF records at ${domain}` };
  try {
    return parseRecord(records[0]);
  } catch (error) {
    if (error instanceof SpfSyntaxError) return { result: 'permerror', reason: `${domain}: ${error.message}` };
    throw error;
  }
}

async function checkHost(evaluation: Evaluation, domain: string, explain: boolean): Promise<HostResult> {
  if (!isValidDomain(domain)) return { result: 'none', reason: `"${domain}" is not a domain name` };
  const record = await fetchRecord(evaluation, domain);
  if ('result' in record) return record;
  for (const directive of record.directives) {
    if (!(await matches(evaluation, domain, directive))) continue;
    const result = qualifierResults[directive.qualifier];
    const explained = result === 'fail' && explain && record.exp ? await explanation(evaluation, domain, record.exp) : undefined;
    return { result, reason: `${domain} matched ${directive.text}`, mechanism: directive.text, explanation: explained };
  }
  if (record.redirect) {
    countLookup(evaluation);
    const target = await targetName(evaluation, domain, record.redirect);
    const redirected = await checkHost(evaluation, target, explain);
    // Section 6.1: a redirect to a domain without a (valid) record is permerror.
    return redirected.result === 'none' ? { result: 'permerror', reason: `redirect: ${redirected.reason}` } : redirected;
  }
  return { result: 'neutral', reason: `${domain}: no mechanism matched` };
}

/** Evaluates the SPF policy for the MAIL FROM identity, or the HELO identity for the null reverse-path. */
export async function checkSpf(query: SpfQuery, resolver: DnsResolver): Promise<SpfOutcome> {
  const identity = query.sender ? 'mailfrom' : 'helo';
  let sender = query.sender || `postmaster@${query.helo}`;
  const at = sender.lastIndexOf('@');
  if (at < 0) sender = `postmaster@${sender}`;
  else if (at === 0) sender = `postmaster${sender}`;
  const domain = sender.slice(sender.lastIndexOf('@') + 1);
  const client = parseAddress(query.ip.trim());
  if (!client) return { result: 'temperror', identity, domain, sender, reason: `"${query.ip}" is not an IP address`, lookups: 0 };
  const evaluation: Evaluation = { resolver, client, query, sender, lookups: 0, voids: 0 };
  let outcome: HostResult;
  try {
    outcome = await checkHost(evaluation, domain, true);
  } catch (error) {
    if (error instanceof SpfAbort) outcome = { result: error.result, reason: error.message };
    else if (error instanceof SpfSyntaxError) outcome = { result: 'permerror', reason: error.message };
    else throw error;
  }
  return { ...outcome, identity, domain, sender, lookups: evaluation.lookups };
}
