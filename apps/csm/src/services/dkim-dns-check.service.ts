import { Injectable } from '@nestjs/common';
import { DnsTxtRepository, type TxtLookup } from '../repositories/dns-txt.repository.js';
import { DkimService, type DkimKeyView } from './dkim.service.js';

export type DnsCheckStatus = 'ok' | 'missing' | 'mismatch' | 'warning';

/** One record a sending domain should publish, against what DNS holds. */
export interface DnsRecordCheck {
  kind: 'dkim' | 'spf' | 'dmarc';
  /** The owner name of the TXT record. */
  name: string;
  /** What to publish (for SPF and DMARC: a starting point to adapt). */
  expected: string;
  /** The matching TXT records found (DKIM: all TXT at the name). */
  found: string[];
  status: DnsCheckStatus;
  /** The outcome in one sentence, with what to do. */
  message: string;
}

export interface DkimDnsCheck {
  domain: string;
  records: DnsRecordCheck[];
}

/** `tag=value` pairs of a DKIM or DMARC record, tags lower-cased, whitespace removed from values. */
function tags(record: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of record.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).replace(/\s/g, ''));
  }
  return map;
}

const isSpf = (record: string) => /^v=spf1(?:\s|$)/i.test(record);
const isDmarc = (record: string) => /^v=DMARC1\s*(?:;|$)/i.test(record);

/**
 * Checks what a sending domain publishes (F12): each DKIM key's TXT record at `<selector>._domainkey.<domain>`,
 * the domain's SPF record and its DMARC record at `_dmarc.<domain>`, through the CSM's resolver.
 */
@Injectable()
export class DkimDnsCheckService {
  constructor(
    private readonly dkim: DkimService,
    private readonly dns: DnsTxtRepository,
  ) {}

  async check(domain: string): Promise<DkimDnsCheck> {
    const view = await this.dkim.show(domain);
    const [spf, dmarc, ...keys] = await Promise.all([
      this.dns.txt(view.domain),
      this.dns.txt(`_dmarc.${view.domain}`),
      ...view.keys.map((key) => this.dns.txt(key.dnsName)),
    ]);
    return {
      domain: view.domain,
      records: [...view.keys.map((key, i) => dkimCheck(key, keys[i] ?? { kind: 'none' })), spfCheck(view.domain, spf), dmarcCheck(view.domain, dmarc)],
    };
  }
}

function failed(base: Omit<DnsRecordCheck, 'found' | 'status' | 'message'>, lookup: TxtLookup): DnsRecordCheck | undefined {
  return lookup.kind === 'failed' ? { ...base, found: [], status: 'warning', message: `Could not check ${base.name}: ${lookup.reason}.` } : undefined;
}

function dkimCheck(key: DkimKeyView, lookup: TxtLookup): DnsRecordCheck {
  const base = { kind: 'dkim' as const, name: key.dnsName, expected: key.dnsValue };
  const failure = failed(base, lookup);
  if (failure) return failure;
  const found = lookup.kind === 'found' ? lookup.records : [];
  if (found.length === 0) return { ...base, found, status: 'missing', message: `No TXT record at ${key.dnsName}: publish the record shown${key.active ? ' (receivers cannot verify this key\'s signatures until then)' : ' before activating this key'}.` };
  const matches = found.some((record) => {
    const t = tags(record);
    return t.get('p') === key.dnsValue.split('p=')[1] && (t.get('k') ?? 'rsa') === key.algorithm;
  });
  if (matches) return { ...base, found, status: 'ok', message: `${key.dnsName} publishes this key.` };
  return { ...base, found, status: 'mismatch', message: `${key.dnsName} publishes a different key: replace its TXT record with the one shown.` };
}

function spfCheck(domain: string, lookup: TxtLookup): DnsRecordCheck {
  const base = { kind: 'spf' as const, name: domain, expected: 'v=spf1 mx ~all' };
  const failure = failed(base, lookup);
  if (failure) return failure;
  const found = lookup.kind === 'found' ? lookup.records.filter(isSpf) : [];
  if (found.length === 0) return { ...base, found, status: 'missing', message: `${domain} publishes no SPF record: publish one listing the hosts that send its mail (mx, a:host, ip4:address), ending in ~all or -all.` };
  if (found.length > 1) return { ...base, found, status: 'mismatch', message: `${domain} publishes ${found.length} SPF records, which receivers treat as an error (permerror): merge them into one.` };
  const last = (found[0] ?? '').trim().split(/\s+/).pop()?.toLowerCase();
  if (last === '-all' || last === '~all') return { ...base, found, status: 'ok', message: `${domain} publishes one SPF record ending in ${last}.` };
  return { ...base, found, status: 'warning', message: `The SPF record of ${domain} does not end in ~all or -all, so it does not tell receivers to distrust other senders.` };
}

function dmarcCheck(domain: string, lookup: TxtLookup): DnsRecordCheck {
  const name = `_dmarc.${domain}`;
  const base = { kind: 'dmarc' as const, name, expected: `v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@${domain}` };
  const failure = failed(base, lookup);
  if (failure) return failure;
  const found = lookup.kind === 'found' ? lookup.records.filter(isDmarc) : [];
  if (found.length === 0) return { ...base, found, status: 'missing', message: `${domain} publishes no DMARC record: publish one at ${name}, e.g. the record shown (p=none to only monitor first).` };
  if (found.length > 1) return { ...base, found, status: 'mismatch', message: `${name} holds ${found.length} DMARC records, so receivers ignore them all: keep one.` };
  const policy = tags(found[0] ?? '').get('p')?.toLowerCase();
  if (policy === 'quarantine' || policy === 'reject') return { ...base, found, status: 'ok', message: `${domain} publishes DMARC with p=${policy}.` };
  if (policy === 'none') return { ...base, found, status: 'warning', message: `${domain} publishes DMARC with p=none: receivers only report; move to p=quarantine once the reports are clean.` };
  return { ...base, found, status: 'mismatch', message: `The DMARC record of ${domain} has no valid p= tag (none, quarantine or reject).` };
}
