import { isIP } from 'node:net';
import { z } from 'zod';
import { domainName, ipOrCidr, senderPattern } from './fields.js';

// Stage 1 (SMTP checks, F1/F2): session limits, the resolver every DNS check uses, greylisting, rate control,
// mail-bomb defence, sender authentication (SPF, DKIM, DMARC, ARC) and reverse DNS. Defaults keep the
// fleet-state checks that need tuning (greylisting, rate rules) off and exempt loopback clients from all of them.

/** Session limits the node enforces itself; part of `smtp` beside the connection limits. */
export const sessionLimitFields = {
  /** Transactions that reached DATA on one connection; the next MAIL gets 421 and the connection closes. */
  maxMessagesPerSession: z.number().int().min(1).default(100),
  /** Accepted recipients over all transactions of one connection. */
  maxRecipientsPerSession: z.number().int().min(1).default(1000),
  /** Commands of any kind on one connection (what a client may make the node work through). */
  maxCommandsPerSession: z.number().int().min(10).default(1000),
  /** Unrecognised commands before `421` and close. */
  maxUnknownCommands: z.number().int().min(1).max(1000).default(10),
  /** Refused commands (4xx/5xx answers to MAIL, RCPT, DATA) before `421` and close (Postfix's hard error limit). */
  maxErrors: z.number().int().min(1).default(20),
};

/** A DNS server: an IP address, optionally with a port ("192.0.2.53:5353", "[2001:db8::53]:53"). */
const dnsServer = z.string().refine(isDnsServer, { message: 'must be an IP address, IPv4:port or [IPv6]:port' });

export const dnsSchema = z
  .object({
    /** Servers asked in turn; empty: the system's (/etc/resolv.conf). */
    servers: z.array(dnsServer).default([]),
    /** Servers per domain suffix (split horizon); the most specific suffix wins. */
    routes: z.record(z.string().min(1), z.array(dnsServer).min(1)).default({}),
    timeoutMs: z.number().int().min(50).max(30_000).default(2000),
    /** Rounds over the servers before a lookup fails (temperror). */
    tries: z.number().int().min(1).max(5).default(2),
    cacheTtlSeconds: z.number().int().min(0).max(86_400).default(300),
    negativeTtlSeconds: z.number().int().min(0).max(86_400).default(60),
  })
  .strict();

export const greylistSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** A retry of the same (client network, sender, recipient) is accepted once this much time has passed. */
    delaySeconds: z.number().int().min(0).max(86_400).default(300),
    /** ... and only within this window after the delay; a later retry starts over. */
    retryWindowSeconds: z.number().int().min(60).max(7 * 86_400).default(2 * 86_400),
    /** After a correct retry, the client network is allowed for this sender domain without delay (refreshed by use). */
    autoAllowSeconds: z.number().int().min(60).max(60 * 86_400).default(35 * 86_400),
    /** The client network of a triplet: /24 for IPv4, /64 for IPv6 by default (senders retry from pools). */
    ipv4Prefix: z.number().int().min(8).max(32).default(24),
    ipv6Prefix: z.number().int().min(16).max(128).default(64),
    /** Never greylisted (besides authenticated clients and the section's exempt networks). */
    exemptIps: z.array(ipOrCidr).default([]),
    exemptSenders: z.array(senderPattern).default([]),
  })
  .strict();

/** The symbol part of a rate rule: RATE_<NAME>. */
const symbolPart = z.string().regex(/^[A-Z][A-Z0-9_]{0,39}$/, 'must be 1-40 upper-case letters, digits or _, starting with a letter (it becomes part of a symbol name)');

export const rateRuleSchema = z
  .object({
    name: symbolPart,
    /** What is counted: messages per client IP, envelope sender, sender domain; recipients per recipient domain or address. */
    key: z.enum(['clientIp', 'sender', 'senderDomain', 'recipientDomain', 'recipient']),
    limit: z.number().int().min(1),
    windowSeconds: z.number().int().min(1).max(86_400),
    /** reject: 550 5.7.1; tempfail: 450 4.7.1 (the sender retries later). */
    action: z.enum(['reject', 'tempfail']).default('tempfail'),
  })
  .strict();

export const mailBombSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Messages to one recipient address within the window, from anyone, before further ones are refused. */
    maxMessages: z.number().int().min(1).default(200),
    windowSeconds: z.number().int().min(1).max(86_400).default(600),
    action: z.enum(['reject', 'tempfail']).default('tempfail'),
  })
  .strict();

/**
 * What to do on an authentication outcome. block: 550 at the end of DATA; defer: 451; quarantine; tag (the
 * mail server files it as spam); pass: only the symbol. For DMARC fail, `policy` follows the sender's own
 * published p= (reject -> block, quarantine -> quarantine, none -> pass).
 */
export const authAction = z.enum(['block', 'defer', 'quarantine', 'tag', 'pass']);
export const dmarcFailAction = z.enum(['policy', 'block', 'defer', 'quarantine', 'tag', 'pass']);

export const authActionsSchema = z
  .object({
    spfFail: authAction.default('pass'),
    spfSoftfail: authAction.default('pass'),
    spfNone: authAction.default('pass'),
    spfTemperror: authAction.default('pass'),
    spfPermerror: authAction.default('pass'),
    /** No DKIM-Signature at all. */
    dkimNone: authAction.default('pass'),
    dkimFail: authAction.default('pass'),
    dkimTemperror: authAction.default('pass'),
    dkimPermerror: authAction.default('pass'),
    dmarcFail: dmarcFailAction.default('policy'),
    /** The author domain publishes no DMARC record. */
    dmarcNone: authAction.default('pass'),
    dmarcTemperror: authAction.default('pass'),
    /** Includes an ambiguous author (several From fields or addresses, encoded or route-syntax addresses). */
    dmarcPermerror: authAction.default('quarantine'),
    arcFail: authAction.default('pass'),
  })
  .strict();

const partialActions = authActionsSchema.partial();

const defaultAuthScores: Record<string, number> = {
  SPF_FAIL: 2,
  SPF_SOFTFAIL: 1,
  DKIM_FAIL: 1,
  DKIM_INVALID: 0.5,
  DMARC_REJECT: 4,
  DMARC_QUARANTINE: 3,
  DMARC_FAIL_POLICY_NONE: 1,
  DMARC_PERMFAIL: 1,
  ARC_FAIL: 1,
  FROM_MISSING: 3,
  FROM_MULTIPLE_FIELDS: 4,
  FROM_MULTIPLE_ADDRESSES: 4,
  FROM_ENCODED_ADDRESS: 4,
  FROM_FOLDED_ADDRESS: 3,
  FROM_ROUTE_SYNTAX: 4,
  FROM_UNPARSABLE: 3,
  FROM_DISPLAY_ADDRESS: 3,
};

/** ISO 3166-1 alpha-2, upper case. */
const countryCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO 3166 country code')
  .transform((c) => c.toUpperCase());

export const authSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** authserv-id of the Authentication-Results field added to relayed mail; such fields from outside are removed. */
    authservId: domainName.optional(),
    /** RSA keys shorter than this do not verify (RFC 8301). */
    minKeyBits: z.number().int().min(512).max(4096).default(1024),
    actions: authActionsSchema.default(() => authActionsSchema.parse({})),
    /** Scores of authentication and author symbols (others score 0); they add to the message's score. */
    scores: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be a symbol name'), z.number()).default(() => ({ ...defaultAuthScores })),
    /** Overrides for mail from these author (From) or envelope-sender domains; ".example.com" covers subdomains. */
    senderDomains: z.array(z.object({ domains: z.array(senderPattern).min(1), actions: partialActions }).strict()).default([]),
    /** Overrides for clients in these countries (GeoIP of the client address). */
    countries: z.array(z.object({ countries: z.array(countryCode).min(1), actions: partialActions }).strict()).default([]),
    /** Which override wins when both a sender-domain and a country override set the same outcome. */
    precedence: z.enum(['domain', 'country']).default('domain'),
  })
  .strict();

export const reverseDnsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Scores of RDNS_NONE (no PTR), RDNS_NOT_CONFIRMED (no PTR name resolves back), RDNS_GENERIC (dynamic-looking name). */
    noneScore: z.number().default(1.5),
    notConfirmedScore: z.number().default(1),
    genericScore: z.number().default(1),
    /** Refuse clients without a PTR record at connect (Postfix reject_unknown_reverse_client_hostname). */
    rejectNone: z.boolean().default(false),
  })
  .strict();

export const smtpChecksSchema = z
  .object({
    /** Clients never subject to stage-1 checks: loopback by default (the node's own tools, local tests). */
    exemptNetworks: z.array(ipOrCidr).default(['127.0.0.0/8', '::1/128']),
    greylist: greylistSchema.default(() => greylistSchema.parse({})),
    rateLimits: z.array(rateRuleSchema).default([]),
    mailBomb: mailBombSchema.default(() => mailBombSchema.parse({})),
    auth: authSchema.default(() => authSchema.parse({})),
    reverseDns: reverseDnsSchema.default(() => reverseDnsSchema.parse({})),
  })
  .strict();

/** Per tenant domain (recipient domain): settings that replace the tenant-wide ones for its recipients. */
export const domainSmtpChecksSchema = z
  .object({
    greylist: z.object({ enabled: z.boolean().optional(), delaySeconds: z.number().int().min(0).max(86_400).optional() }).strict().optional(),
    authActions: partialActions.optional(),
  })
  .strict();

export type DnsPolicy = z.output<typeof dnsSchema>;
export type SmtpChecksPolicy = z.output<typeof smtpChecksSchema>;
export type GreylistPolicy = z.output<typeof greylistSchema>;
export type RateRule = z.output<typeof rateRuleSchema>;
export type AuthPolicy = z.output<typeof authSchema>;
export type AuthActions = z.output<typeof authActionsSchema>;
export type AuthActionName = z.output<typeof dmarcFailAction>;
export type DomainSmtpChecks = z.output<typeof domainSmtpChecksSchema>;

function isDnsServer(value: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  if (bracketed) return isIP(bracketed[1]!) === 6 && validPort(bracketed[2]);
  if (isIP(value) !== 0) return true;
  const hostPort = /^([^:]+):(\d{1,5})$/.exec(value);
  return !!hostPort && isIP(hostPort[1]!) === 4 && validPort(hostPort[2]);
}

function validPort(port: string | undefined): boolean {
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}
