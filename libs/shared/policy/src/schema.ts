import { z } from 'zod';
import { attachmentsSchema } from './sections/attachments.js';
import { bodySchema, dnsListResolverProblems } from './sections/body.js';
import { classifierSchema } from './sections/classifier.js';
import { dlpSchema } from './sections/dlp.js';
import { forwardingProblems, forwardingSchema } from './sections/forwarding.js';
import { groupsProblems, groupsSchema } from './sections/groups.js';
import { retentionSchema } from './sections/retention.js';
import { quarantineSchema } from './sections/quarantine.js';
import { sandboxSchema } from './sections/sandbox.js';
import { domainName, ipOrCidr, senderPattern } from './sections/fields.js';
import { outboundSchema } from './sections/outbound.js';
import { dnsSchema, domainSmtpChecksSchema, sessionLimitFields, smtpChecksSchema } from './sections/smtp-checks.js';
import { tlsSchema } from './sections/tls.js';
import { holdWindowSchema } from './sections/hold.js';

// The policy document of one tenant. The CSM stores every version in JetStream KV and streams it to nodes;
// nodes, CLI and console validate with this same schema. Defaults make `{}` a complete, safe policy.

export const listsSchema = z
  .object({
    ipBlock: z.array(ipOrCidr).default([]),
    ipAllow: z.array(ipOrCidr).default([]),
    senderBlock: z.array(senderPattern).default([]),
    senderAllow: z.array(senderPattern).default([]),
  })
  .strict();

export const downstreamSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(25),
    // none: plain; opportunistic: STARTTLS when offered (any certificate); required: refuse to deliver without TLS
    // and without a certificate that verifies (caBundle, else the system's CAs) for tlsName (default: host).
    tls: z.enum(['none', 'opportunistic', 'required']).default('opportunistic'),
    caBundle: z.string().max(256 * 1024).regex(/^\s*-----BEGIN CERTIFICATE-----/, 'must be PEM certificates').optional(),
    tlsName: domainName.optional(),
  })
  .strict();

export const domainSchema = z
  .object({
    name: domainName,
    downstream: downstreamSchema,
    // Local parts of registered accounts. Empty means every local part is accepted (no directory yet).
    accounts: z.array(z.string().min(1).transform((s) => s.toLowerCase())).default([]),
    lists: listsSchema.default(() => listsSchema.parse({})),
    smtpChecks: domainSmtpChecksSchema.optional(),
    // Delivery hold windows (F9, sections/hold.ts): inbound mail is spooled but not delivered inside them.
    holds: z.array(holdWindowSchema).max(32).default([]),
  })
  .strict();

export const thresholdsSchema = z
  .object({
    tag: z.number().default(5),
    quarantine: z.number().default(10),
    reject: z.number().default(15),
  })
  .strict()
  .refine((t) => t.tag <= t.quarantine && t.quarantine <= t.reject, { message: 'thresholds must satisfy tag <= quarantine <= reject' });

export const smtpSchema = z
  .object({
    banner: z.string().default('Moat ESMTP'),
    maxMessageBytes: z.number().int().min(1024).default(50 * 1024 * 1024),
    maxRecipients: z.number().int().min(1).default(100),
    maxConnections: z.number().int().min(1).default(1000),
    maxConnectionsPerIp: z.number().int().min(1).default(50),
    idleTimeoutMs: z.number().int().min(1000).default(60_000),
    dataTimeoutMs: z.number().int().min(1000).default(300_000),
    // smtp-server's fixed pre-greeting pause catches early talkers but caps one-message connections at <10/s
    // per session; 0 for trusted networks, set it for the internet-facing listener.
    greetingDelayMs: z.number().int().min(0).max(30_000).default(0),
    // Sources allowed to use XCLIENT/PROXY and exempt from the greeting delay.
    trustedNetworks: z.array(ipOrCidr).default(['127.0.0.0/8', '::1/128']),
    // A CR not followed by LF in DATA: refused (reject), or made a CRLF line end before anything reads or spools
    // the message (normalise). Passed on as it came, it is what SMTP smuggling exploits in a lenient next hop.
    bareCr: z.enum(['reject', 'normalise']).default('reject'),
    // RFC 2920: commands sent after EHLO, DATA, the end of data (and the other commands that end a group) before
    // their reply. Refused (554, connection closed) for clients outside trustedNetworks, as Postfix's
    // smtpd_forbid_unauth_pipelining; the node has no SMTP AUTH, so those are its unauthenticated clients.
    forbidUnauthPipelining: z.boolean().default(true),
    ...sessionLimitFields,
  })
  .strict();

export const deliverySchema = z
  .object({
    // Seconds to wait before each retry; the last value repeats until maxAgeSeconds.
    retryScheduleSeconds: z.array(z.number().min(0)).min(1).default([60, 300, 900, 1800, 3600]),
    maxAgeSeconds: z.number().int().min(60).default(5 * 24 * 3600),
    concurrencyPerDestination: z.number().int().min(1).default(10),
    connectTimeoutMs: z.number().int().min(100).default(30_000),
  })
  .strict();

export const policySchema = z
  .object({
    tenant: z.object({ id: z.string().min(1).default('default'), name: z.string().default('Default tenant') }).strict().default({ id: 'default', name: 'Default tenant' }),
    domains: z.array(domainSchema).default([]),
    // Recipient groups (sections/groups.ts), by hand or from the directory sync; forwarding rules filter by them.
    groups: groupsSchema.default([]),
    lists: listsSchema.default(() => listsSchema.parse({})),
    thresholds: thresholdsSchema.default(() => thresholdsSchema.parse({})),
    smtp: smtpSchema.default(() => smtpSchema.parse({})),
    delivery: deliverySchema.default(() => deliverySchema.parse({})),
    body: bodySchema.default(() => bodySchema.parse({})),
    classifier: classifierSchema.default(() => classifierSchema.parse({})),
    dns: dnsSchema.default(() => dnsSchema.parse({})),
    smtpChecks: smtpChecksSchema.default(() => smtpChecksSchema.parse({})),
    attachments: attachmentsSchema.default(() => attachmentsSchema.parse({})),
    // Submission and relay from the tenant's servers; `thresholds` (absent: the inbound ones) judge outbound mail.
    outbound: outboundSchema.extend({ thresholds: thresholdsSchema.optional() }).default(() => outboundSchema.parse({})),
    dlp: dlpSchema.default(() => dlpSchema.parse({})),
    sandbox: sandboxSchema.default(() => sandboxSchema.parse({})),
    retention: retentionSchema.default(() => retentionSchema.parse({})),
    tls: tlsSchema.default(() => tlsSchema.parse({})),
    forwarding: forwardingSchema.default(() => forwardingSchema.parse({})),
    quarantine: quarantineSchema.default(() => quarantineSchema.parse({})),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.domains.forEach((d, i) => {
      if (seen.has(d.name)) ctx.addIssue({ code: 'custom', path: ['domains', i, 'name'], message: `duplicate domain ${d.name}` });
      seen.add(d.name);
    });
    const senders = new Set<string>();
    p.outbound.accounts.forEach((a, i) => {
      if (!seen.has(a.address.slice(a.address.lastIndexOf('@') + 1))) ctx.addIssue({ code: 'custom', path: ['outbound', 'accounts', i, 'address'], message: `${a.address} is not at one of the tenant's domains` });
      if (senders.has(a.address)) ctx.addIssue({ code: 'custom', path: ['outbound', 'accounts', i, 'address'], message: `duplicate account ${a.address}` });
      senders.add(a.address);
    });
    for (const problem of groupsProblems(p.groups, seen)) ctx.addIssue({ code: 'custom', path: ['groups', ...problem.path], message: problem.message });
    const groups = new Set(p.groups.map((g) => g.name));
    for (const problem of forwardingProblems(p.forwarding, seen, groups)) ctx.addIssue({ code: 'custom', path: ['forwarding', ...problem.path], message: problem.message });
    for (const problem of dnsListResolverProblems(p.body.dnsbl, p.dns.servers, p.dns.routes)) ctx.addIssue({ code: 'custom', path: ['body', 'dnsbl', ...problem.path], message: problem.message });
  });

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type PolicyDomain = Policy['domains'][number];
export type PolicyLists = z.output<typeof listsSchema>;
export type Downstream = z.output<typeof downstreamSchema>;
