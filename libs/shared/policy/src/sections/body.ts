import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { filterRegexProblem } from './filter-regex.js';
import { rulesSchema } from './rules.js';

// Stage 3 (body) settings: DNS reputation lists, the fleet bulk-checksum network, regex filters, phishing
// heuristics and the Korean advertising marker. Every score here becomes a named symbol's score.

/** Upper-case name that becomes part of a symbol (RBL_<LIST>_<CODE>, REGEX_<RULE>). */
const symbolPart = z.string().regex(/^[A-Z][A-Z0-9_]{0,39}$/, 'must be 1-40 upper-case letters, digits or _, starting with a letter (it becomes part of a symbol name)');

/** A domain name in Unicode or A-label form, stored as its lower-case A-label (punycode) form. */
const idnDomain = z.string().transform((value, ctx) => {
  const ascii = domainToASCII(value.trim().replace(/\.$/, ''));
  if (!ascii || !ascii.includes('.') || ascii.length > 253) {
    ctx.addIssue({ code: 'custom', message: 'must be a domain name' });
    return z.NEVER;
  }
  return ascii;
});

const returnCodeSchema = z
  .object({
    /** Symbol suffix: code SBL of list ZEN fires RBL_ZEN_SBL. */
    name: symbolPart,
    /** The answer that carries this meaning, e.g. 127.0.0.2 ... */
    address: z.ipv4().optional(),
    /** ... or, for bitmask lists (SURBL multi), the bit that must be set in the answer's last octet. */
    bit: z.number().int().min(1).max(128).optional(),
    score: z.number(),
    /** Score when a relay in the Received chain (not the client) is listed; default `score`. 0 for PBL-style codes. */
    receivedScore: z.number().optional(),
  })
  .strict()
  .refine((code) => (code.address === undefined) !== (code.bit === undefined), { message: 'give exactly one of address or bit' });

const dnsListSchema = z
  .object({
    /** Symbol part: RBL_<name>_<code>, URIBL_<name>_<code>, DBL_<name>_<code>, and <prefix>_<name>_TIMEOUT. */
    name: symbolPart,
    zone: idnDomain,
    /** Off: never queried. The well-known defaults ship off; a list an administrator adds is on. */
    enabled: z.boolean().default(true),
    /** Multiplies every code's score, to trust one list more than another without editing each code. */
    weight: z.number().min(0).default(1),
    codes: z.array(returnCodeSchema).min(1),
  })
  .strict();

type DnsListInput = z.input<typeof dnsListSchema>;
const at = (name: string, address: string, score: number, receivedScore?: number) => ({ name, address, score, ...(receivedScore === undefined ? {} : { receivedScore }) });
const bit = (name: string, mask: number, score: number) => ({ name, bit: mask, score });

/**
 * Public lists every fresh policy names, switched off: their terms refuse queries through large public
 * resolvers (and some need free registration or cap the volume), so they are enabled only once `dns.servers`
 * names the resolver that asks them. Zones and return codes as each list documents them.
 */
const defaultIpLists: DnsListInput[] = [
  { name: 'SPAMHAUS_ZEN', zone: 'zen.spamhaus.org', enabled: false, codes: [at('SBL', '127.0.0.2', 4), at('CSS', '127.0.0.3', 2), at('XBL', '127.0.0.4', 3), at('DROP', '127.0.0.9', 5), at('PBL', '127.0.0.10', 1.5, 0), at('PBL', '127.0.0.11', 1.5, 0)] },
  { name: 'SPAMCOP', zone: 'bl.spamcop.net', enabled: false, codes: [at('LISTED', '127.0.0.2', 2)] },
  { name: 'BARRACUDA', zone: 'b.barracudacentral.org', enabled: false, codes: [at('LISTED', '127.0.0.2', 2)] },
];
const defaultUrlLists: DnsListInput[] = [
  { name: 'SURBL', zone: 'multi.surbl.org', enabled: false, codes: [bit('PH', 8, 5), bit('MW', 16, 5), bit('ABUSE', 64, 4), bit('CR', 128, 4)] },
  { name: 'URIBL', zone: 'multi.uribl.com', enabled: false, codes: [bit('BLACK', 2, 3), bit('GREY', 4, 1), bit('RED', 8, 0.5)] },
];
const defaultSenderLists: DnsListInput[] = [
  {
    name: 'SPAMHAUS_DBL',
    zone: 'dbl.spamhaus.org',
    enabled: false,
    codes: [at('SPAM', '127.0.1.2', 3), at('PHISH', '127.0.1.4', 5), at('MALWARE', '127.0.1.5', 5), at('BOTNET_CC', '127.0.1.6', 5), at('ABUSED_SPAM', '127.0.1.102', 1), at('ABUSED_REDIRECTOR', '127.0.1.103', 1), at('ABUSED_PHISH', '127.0.1.104', 3), at('ABUSED_MALWARE', '127.0.1.105', 3), at('ABUSED_BOTNET_CC', '127.0.1.106', 3)],
  },
];

const defaultRedirectors = [
  'google.com',
  'l.facebook.com',
  'lm.facebook.com',
  'safelinks.protection.outlook.com',
  'urldefense.proofpoint.com',
  'urldefense.com',
  'youtube.com',
  'slack-redir.net',
  'href.li',
];

const defaultLinkTrackers = [
  'sendgrid.net',
  'list-manage.com',
  'mandrillapp.com',
  'mailgun.org',
  'sparkpostmail.com',
  'rs6.net',
  'hubspotlinks.com',
  'exct.net',
  'stibee.com',
  'mailchimp.com',
];

export const dnsblSchema = z
  .object({
    /** Every lookup of one message runs in parallel; lists that have not answered by then count as timed out. */
    budgetMs: z.number().int().min(50).max(30_000).default(1500),
    /** RBLs for the client IP and public relay IPs in Received headers. */
    ipLists: z.array(dnsListSchema).default(() => z.array(dnsListSchema).parse(defaultIpLists)),
    /** Received hops (newest first) whose public IPs are looked up besides the client; 0 for the client only. */
    receivedDepth: z.number().int().min(0).max(20).default(5),
    /** SURBL/URIBL lists for the registrable domains of URLs in the text and HTML. */
    urlLists: z.array(dnsListSchema).default(() => z.array(dnsListSchema).parse(defaultUrlLists)),
    /** Distinct URL domains looked up per message (the first ones found). */
    maxUrlDomains: z.number().int().min(1).max(200).default(20),
    /** DBL lists for the sender domains: MAIL FROM, From and Reply-To. */
    senderLists: z.array(dnsListSchema).default(() => z.array(dnsListSchema).parse(defaultSenderLists)),
    /**
     * Redirector hosts (and their subdomains) whose URLs carry the real target in a query parameter or the
     * path: the target's domain is looked up too, and phishing checks compare against it.
     */
    redirectors: z.array(idnDomain).default(defaultRedirectors),
  })
  .strict()
  .superRefine((dnsbl, ctx) => {
    for (const key of ['ipLists', 'urlLists', 'senderLists'] as const) {
      const seen = new Set<string>();
      dnsbl[key].forEach((list, i) => {
        if (seen.has(list.name)) ctx.addIssue({ code: 'custom', path: [key, i, 'name'], message: `duplicate list name ${list.name}` });
        seen.add(list.name);
      });
    }
  });

export type DnsblPolicy = z.output<typeof dnsblSchema>;

/**
 * An enabled list needs a resolver the administrator named: `dns.servers`, or a `dns.routes` suffix covering
 * its zone. Through the machine resolver (often a public one, which Spamhaus, URIBL and others refuse,
 * answering "listed" codes that mean "query refused") a list would be asked by whatever /etc/resolv.conf says.
 */
export function dnsListResolverProblems(dnsbl: DnsblPolicy, servers: readonly string[], routes: Readonly<Record<string, readonly string[]>>): { path: (string | number)[]; message: string }[] {
  if (servers.length > 0) return [];
  const suffixes = Object.keys(routes).map((suffix) => suffix.toLowerCase().replace(/^\.|\.$/g, ''));
  const routed = (zone: string) => suffixes.some((suffix) => zone === suffix || zone.endsWith(`.${suffix}`));
  const problems: { path: (string | number)[]; message: string }[] = [];
  for (const key of ['ipLists', 'urlLists', 'senderLists'] as const) {
    dnsbl[key].forEach((list, i) => {
      if (list.enabled && !routed(list.zone)) {
        problems.push({ path: [key, i, 'enabled'], message: `list ${list.name} is on but no resolver is named: set dns.servers (your own resolver; public resolvers are refused by many lists' terms) or switch it off` });
      }
    });
  }
  return problems;
}

const bulkLevel = z.object({ count: z.number().int().min(2), score: z.number() }).strict();

export const bulkSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Sightings are counted fleet-wide over this window (5-minute resolution). */
    windowSeconds: z.number().int().min(300).max(7 * 24 * 3600).default(3600),
    /** Longest the fleet store may take per message; past it BULK_UNAVAILABLE (score 0) and no bulk symbols. */
    budgetMs: z.number().int().min(10).max(10_000).default(300),
    /** Texts with fewer words are not fingerprinted: short replies ("thanks!") are alike without being bulk. */
    minWords: z.number().int().min(1).default(20),
    /** BULK_LOW / BULK_MEDIUM / BULK_HIGH: the highest level reached fires. */
    low: bulkLevel.default({ count: 20, score: 0.5 }),
    medium: bulkLevel.default({ count: 100, score: 1.5 }),
    high: bulkLevel.default({ count: 500, score: 3 }),
    /** BULK_ATTACHMENT: the same attachment or image seen this often. */
    attachment: bulkLevel.default({ count: 50, score: 1 }),
    /** FUZZY_DENIED: the text resembles a message an admin reported as spam. */
    deniedScore: z.number().default(10),
  })
  .strict()
  .refine((b) => b.low.count <= b.medium.count && b.medium.count <= b.high.count, { message: 'bulk levels must satisfy low.count <= medium.count <= high.count' });

const forcedAction = z.enum(['tag', 'quarantine', 'hold', 'reject', 'discard']);

const regexRuleSchema = z
  .object({
    /** Symbol part: REGEX_<name> (block) or REGEX_ALLOW_<name> (allow). */
    name: symbolPart,
    /** Block rules add their score (and action); a matching allow rule cancels every block rule of the message. */
    kind: z.enum(['block', 'allow']),
    on: z.enum(['subject', 'header', 'body', 'attachment']),
    /** The header field for on = header (case-insensitive); every occurrence is tested. */
    header: z.string().regex(/^[!-9;-~]+$/, 'must be a header field name').transform((h) => h.toLowerCase()).optional(),
    pattern: z.string().min(1).max(1000),
    caseSensitive: z.boolean().default(false),
    /** Default 5 for block rules, -5 for allow rules. */
    score: z.number().optional(),
    /** Block rules only: an action forced when the rule matches (beats the score thresholds). */
    action: forcedAction.optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.on === 'header' && !rule.header) ctx.addIssue({ code: 'custom', path: ['header'], message: 'required when on is "header"' });
    if (rule.on !== 'header' && rule.header) ctx.addIssue({ code: 'custom', path: ['header'], message: 'only for on = "header"' });
    if (rule.kind === 'allow' && rule.action) ctx.addIssue({ code: 'custom', path: ['action'], message: 'only block rules force an action' });
    const problem = filterRegexProblem(rule.pattern, regexFlags(rule));
    if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: problem });
  });

export type RegexRule = z.output<typeof regexRuleSchema>;

/** Flags every filter runs with: Unicode always (Korean text, \p{...}), case-insensitive unless asked. */
export function regexFlags(rule: Pick<RegexRule, 'caseSensitive'>): string {
  return rule.caseSensitive ? 'u' : 'iu';
}

export const regexFiltersSchema = z
  .object({
    /** Time all filters of one message may take (checked after each rule and text); past it the rest are skipped and REGEX_TIMEOUT fires. */
    budgetMs: z.number().int().min(5).max(5000).default(50),
    rules: z.array(regexRuleSchema).default([]),
  })
  .strict()
  .superRefine((filters, ctx) => {
    const seen = new Set<string>();
    filters.rules.forEach((rule, i) => {
      if (seen.has(rule.name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `duplicate rule name ${rule.name}` });
      seen.add(rule.name);
    });
  });

const executiveSchema = z
  .object({
    /** Display names this person is known by, e.g. ["Kim Minsu", "Minsu Kim", "김민수"]. */
    names: z.array(z.string().trim().min(2)).min(1),
    /** Their real addresses: mail from these is not impersonation. */
    addresses: z.array(z.email().transform((a) => a.toLowerCase())).default([]),
  })
  .strict();

export const phishingSchema = z
  .object({
    /**
     * PHISH_LINK_MISMATCH: link text shows one domain, the href goes to another — unless it goes to the From
     * address's own domain and the text does not show a protected domain (the tenant's or one of `brands`).
     */
    linkMismatchScore: z.number().default(3),
    /**
     * Click-tracking hosts of mailing services (and their subdomains): their links show the real site in the
     * text and go through the tracker, so they are not link mismatches.
     */
    linkTrackers: z.array(idnDomain).default(defaultLinkTrackers),
    /**
     * Protected brands besides the tenant's own domains, e.g. paypal.com, naver.com: lookalikes of them are
     * flagged, and so is link text showing them whatever the sender's domain.
     */
    brands: z.array(idnDomain).default([]),
    /** PHISH_LOOKALIKE_DOMAIN: a sender or link domain one edit, or only homoglyphs, away from a protected one. */
    lookalikeScore: z.number().default(5),
    executives: z.array(executiveSchema).default([]),
    /** PHISH_EXEC_IMPERSONATION: an executive's name in the From display name, sent from elsewhere. */
    impersonationScore: z.number().default(6),
    /** PHISH_PAYMENT_CHANGE: wording about new bank details or changing where to pay (English, Korean). */
    paymentChangeScore: z.number().default(3),
    /** PHISH_URGENCY: pressure wording (act now, account suspended) in English or Korean. */
    urgencyScore: z.number().default(1),
  })
  .strict();

export const koreanAdSchema = z
  .object({
    /** off: no checks; require: Korean advertising must start its subject with "(광고)" (정보통신망법 제50조). */
    mode: z.enum(['off', 'require']).default('off'),
    /** KR_AD_MARKER_MISSING: Korean mail that looks like advertising (bulk, opt-out wording) without the marker. */
    missingScore: z.number().default(3),
    /** KR_AD_MARKER_MALFORMED: a disguised marker ("[광고]", "(광 고)", "(광*고)"), a known filter evasion. */
    malformedScore: z.number().default(4),
    /** KR_AD_MARKER: the subject carries the marker. */
    presentScore: z.number().default(0),
    /** Optional action for marked advertising, e.g. quarantine for a tenant that takes no ads. */
    presentAction: forcedAction.optional(),
  })
  .strict();

export const bodySchema = z
  .object({
    /**
     * Longest the content checks of one message (regex filters, classifier, phishing links, lookalikes,
     * impersonation, payment wording) may run together on a scan node, which runs them on its inspection
     * workers after the MIME walk; past it the check gets CHECK_TIMEOUT and the message is treated as
     * incomplete (attachments.settings.incomplete: quarantined or refused, never delivered as clean).
     */
    checkTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    dnsbl: dnsblSchema.default(() => dnsblSchema.parse({})),
    bulk: bulkSchema.default(() => bulkSchema.parse({})),
    regex: regexFiltersSchema.default(() => regexFiltersSchema.parse({})),
    phishing: phishingSchema.default(() => phishingSchema.parse({})),
    koreanAd: koreanAdSchema.default(() => koreanAdSchema.parse({})),
    /** Structural and phishing rules, on by default (sections/rules.ts). */
    rules: rulesSchema.default(() => rulesSchema.parse({})),
  })
  .strict();

export type BodyPolicy = z.output<typeof bodySchema>;
export type DnsListPolicy = z.output<typeof dnsListSchema>;
