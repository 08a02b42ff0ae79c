import type { DnsListPolicy } from '@moat/policy';
import type { StageCheck } from '../check.js';
import { askList, reversedIp, type ListAnswer } from '../body/dns-lists.js';
import { splitNamedAddress } from '../body/display-name.js';
import { addressDomain, registrableDomain } from '../body/domains.js';
import { publicIp, receivedIps } from '../body/received-ips.js';
import { resolverFor } from '../body/resolver.js';
import { urlDomains } from '../body/url-domains.js';

/** What is looked up where: the symbol prefix names the kind of list. */
interface Lookup {
  prefix: 'RBL' | 'URIBL' | 'DBL';
  list: DnsListPolicy;
  /** The IP or domain as shown in details. */
  subject: string;
  label: string;
  /** A relay from the Received chain rather than the connecting client. */
  relay: boolean;
}

/**
 * DNS reputation (Rspamd's rbl module): RBLs for the client and the public relays in Received, SURBL/URIBL
 * for URL domains (redirect targets too), DBL for the MAIL FROM, From and Reply-To domains. Every lookup of
 * the message runs at once under one time budget; a list that does not answer in time fires
 * <PREFIX>_<LIST>_TIMEOUT with score 0, so a slow list never delays or decides delivery.
 * Only the lists switched on are asked; off when none is.
 */
export const dnsReputation: StageCheck<'data'> = {
  name: 'dns_reputation',
  stage: 'data',
  enabled: (policy) => policy.body.hasDnsLists,
  async run(ctx) {
    const settings = ctx.policy.body.settings.dnsbl;
    const { ipLists, urlLists, senderLists } = ctx.policy.body.dnsLists;
    const lookups: Lookup[] = [];
    const client = publicIp(ctx.envelope.clientIp);
    const relays = receivedIps(ctx.message.headerFields, settings.receivedDepth).filter((ip) => ip !== client);
    for (const list of ipLists) {
      if (client) lookups.push({ prefix: 'RBL', list, subject: client, label: reversedIp(client), relay: false });
      for (const ip of relays) lookups.push({ prefix: 'RBL', list, subject: ip, label: reversedIp(ip), relay: true });
    }
    if (urlLists.length > 0) {
      for (const domain of urlDomains(ctx.message.urls, settings.redirectors, settings.maxUrlDomains)) {
        for (const list of urlLists) lookups.push({ prefix: 'URIBL', list, subject: domain, label: domain, relay: false });
      }
    }
    if (senderLists.length > 0) {
      for (const domain of senderDomains(ctx.envelope.mailFrom, ctx.message.headers.from, ctx.message.headers.replyTo)) {
        for (const list of senderLists) lookups.push({ prefix: 'DBL', list, subject: domain, label: domain, relay: false });
      }
    }
    if (lookups.length === 0) return;

    const resolver = resolverFor(ctx.options);
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<ListAnswer>((resolve) => {
      timer = setTimeout(() => resolve({ status: 'timeout', reason: `no answer within ${settings.budgetMs} ms` }), settings.budgetMs);
    });
    const answers = await Promise.all(lookups.map((lookup) => Promise.race([askList(resolver, lookup.list, lookup.label), budget])));
    clearTimeout(timer);

    // One symbol per list and meaning, however many names it listed: the details name them all.
    const hits = new Map<string, { score: number; subjects: string[] }>();
    const note = (symbol: string, score: number, subject: string): void => {
      const hit = hits.get(symbol) ?? { score, subjects: [] };
      hit.score = Math.max(hit.score, score);
      if (!hit.subjects.includes(subject)) hit.subjects.push(subject);
      hits.set(symbol, hit);
    };
    lookups.forEach((lookup, i) => {
      const answer = answers[i];
      const base = `${lookup.prefix}_${lookup.list.name}`;
      if (answer.status === 'timeout') note(`${base}_TIMEOUT`, 0, `${lookup.subject} (${answer.reason})`);
      if (answer.status !== 'listed') return;
      for (const code of answer.codes) {
        const score = (lookup.relay ? (code.receivedScore ?? code.score) : code.score) * lookup.list.weight;
        note(`${base}_${code.name}${lookup.relay ? '_RECEIVED' : ''}`, score, lookup.subject);
      }
      if (answer.unknown.length > 0) note(`${base}_UNKNOWN_CODE`, 0, `${lookup.subject} -> ${answer.unknown.join(', ')}`);
    });
    for (const [symbol, hit] of hits) ctx.results.add(symbol, hit.score, hit.subjects.join(', '));
  },
};

/** Registrable domains of the envelope sender, From and Reply-To, each once. */
function senderDomains(mailFrom: string | undefined, from: string, replyTo: string): string[] {
  const domains = new Set<string>();
  for (const address of [mailFrom ?? '', splitNamedAddress(from).address, splitNamedAddress(replyTo).address]) {
    const domain = addressDomain(address);
    const registrable = domain ? registrableDomain(domain) : undefined;
    if (registrable) domains.add(registrable);
  }
  return [...domains];
}
