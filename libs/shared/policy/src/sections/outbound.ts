import { z } from 'zod';
import { approvalRulesSchema } from './approval-rules.js';
import { compromiseSchema } from './compromise.js';
import { domainName, ipOrCidr } from './fields.js';

// Outbound mail (F6): submission by the tenant's users (SMTP AUTH) and relay from the tenant's own mail servers,
// scanned by the same pipeline and delivered by MX lookup or through a smarthost per sender domain.

/** A mailbox address (local@domain), kept in lower case: the form AUTH users, senders and aliases compare in. */
export const mailbox = z
  .string()
  .max(320)
  .regex(/^[^@\s<>]+@[a-z0-9.-]+$/i, 'must be an address (local@domain)')
  .transform((s) => s.toLowerCase());

/**
 * A password as the CSM stores it (@moat/credentials): scrypt with its salt and cost. Passwords never travel,
 * only these; the cost is bounded so that a forged policy cannot make each AUTH take minutes.
 */
export const passwordHashSchema = z
  .object({
    algorithm: z.literal('scrypt'),
    salt: z.string().min(8).max(128),
    hash: z.string().min(16).max(256),
    cost: z
      .number()
      .int()
      .min(1024)
      .max(1 << 20)
      .refine((n) => (n & (n - 1)) === 0, { message: 'must be a power of two' }),
  })
  .strict();

export const outboundAccountSchema = z
  .object({
    address: mailbox,
    /** Only accounts designated as senders may submit mail. */
    canSend: z.boolean().default(false),
    /** Set with `moat accounts passwd` (POST /api/accounts/:address/password); without one AUTH fails. */
    passwordHash: passwordHashSchema.optional(),
    /** Other addresses this account may send as (envelope sender and From header). */
    aliases: z.array(mailbox).default([]),
    /**
     * Written by the directory sync: AUTH binds to `outbound.directory` as this DN with the client's password
     * instead of checking passwordHash (nodes never hold the directory's service password).
     */
    bindDn: z.string().min(3).max(1024).optional(),
  })
  .strict();

/** Where nodes bind for AUTH of directory accounts (the directory sync writes it): no bind DN or password of its own. */
export const outboundDirectorySchema = z
  .object({
    url: z.string().regex(/^ldaps?:\/\/[^\s/]{1,300}\/?$/i, 'must be ldap://host[:port] or ldaps://host[:port]'),
    /** Upgrade an ldap:// connection with StartTLS before the bind. */
    startTls: z.boolean().default(false),
    /** PEM certificate(s) the server's certificate must chain to (absent: the system's CAs). */
    ca: z.string().max(65_536).optional(),
  })
  .strict();

/** Limits over a sliding window, counted fleet-wide; absent: no limit. */
const quotaSchema = z
  .object({
    messagesPerHour: z.number().int().min(1).optional(),
    messagesPerDay: z.number().int().min(1).optional(),
    recipientsPerHour: z.number().int().min(1).optional(),
    recipientsPerDay: z.number().int().min(1).optional(),
  })
  .strict();

export const smarthostSchema = z
  .object({
    /** The sender domain whose mail goes through this host; `*` for every sender domain without its own entry. */
    senderDomain: z.union([z.literal('*'), domainName]),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(25),
    tls: z.enum(['none', 'opportunistic', 'required']).default('opportunistic'),
  })
  .strict();

export const outboundSchema = z
  .object({
    accounts: z.array(outboundAccountSchema).default([]),
    /** The tenant's directory, for accounts with a bindDn (absent: no directory configured). */
    directory: outboundDirectorySchema.optional(),
    /** The tenant's own mail servers: they relay outbound mail without AUTH (their sender must be at a tenant domain). */
    trustedNetworks: z.array(ipOrCidr).default([]),
    /** The authenticated user (or one of its aliases) must be the envelope sender / the From header's address. */
    senderMatch: z
      .object({ envelope: z.boolean().default(true), header: z.boolean().default(true) })
      .strict()
      .default({ envelope: true, header: true }),
    quotas: z
      .object({
        perUser: quotaSchema.default({}),
        perDomain: quotaSchema.default({}),
        /** tempfail: 450 4.7.1 (the client retries once the window has room); reject: 550 5.7.1. */
        action: z.enum(['tempfail', 'reject']).default('tempfail'),
      })
      .strict()
      .default({ perUser: {}, perDomain: {}, action: 'tempfail' }),
    /**
     * Failed AUTH counted fleet-wide per client address and per account; from perIp failures in the window the
     * address is blocked for blockSeconds: AUTH from it is refused on every node (moat_auth_blocks, GET
     * /api/auth-blocks). An account is not locked: anyone could lock it out.
     */
    authFailures: z
      .object({
        perIp: z.number().int().min(1).default(10),
        windowSeconds: z.number().int().min(60).max(86_400).default(900),
        blockSeconds: z.number().int().min(60).max(30 * 86_400).default(900),
      })
      .strict()
      .default({ perIp: 10, windowSeconds: 900, blockSeconds: 900 }),
    /**
     * When not empty, AUTH only from these countries (ISO 3166 alpha-2, by the node's RIR data) or from
     * trustedNetworks; an address with no country (private, loopback) is not restricted.
     */
    authCountries: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166 alpha-2 country code')
          .transform((s) => s.toUpperCase()),
      )
      .default([]),
    delivery: z
      .object({
        /** Senders' domains delivered through a smarthost; every other sender domain's mail goes by MX lookup. */
        smarthosts: z.array(smarthostSchema).default([]),
        /** Destination domains that get mail only over TLS (by MX; a smarthost entry's own `tls` applies to it). */
        requireTls: z.array(domainName).default([]),
        /** The port MX hosts are reached on (25; other values serve test networks). */
        mxPort: z.number().int().min(1).max(65535).default(25),
        /**
         * Honour MTA-STS (RFC 8461): a destination that publishes a policy in `enforce` mode gets mail only from
         * its listed MX hosts, over TLS with a certificate that verifies for the MX host's name.
         */
        mtaSts: z.boolean().default(true),
        /** The HTTPS port of the `mta-sts.<domain>` policy host (443; other values serve test networks). */
        mtaStsPort: z.number().int().min(1).max(65535).default(443),
        /**
         * Honour DANE (RFC 7672): TLSA records of an MX host, validated by DNSSEC, make TLS required and say which
         * certificate it must present. Only answers the resolver (`dns.servers`) marks validated (the AD bit) count,
         * so it takes a validating resolver the nodes reach over a trusted path (e.g. on the same machine).
         */
        dane: z.boolean().default(true),
      })
      .strict()
      .default({ smarthosts: [], requireTls: [], mxPort: 25, mtaSts: true, mtaStsPort: 443, dane: true }),
    /** Approval rules (F7, sections/approval-rules.ts): outbound mail one of them matches is held for an approver. */
    approvals: approvalRulesSchema,
    /** Compromised-account signs (sections/compromise.ts): sudden volume, new recipient domains, outbound spam. */
    compromise: compromiseSchema.default(() => compromiseSchema.parse({})),
  })
  .strict();

export type OutboundPolicy = z.output<typeof outboundSchema>;
export type OutboundAccount = z.output<typeof outboundAccountSchema>;
export type Smarthost = z.output<typeof smarthostSchema>;
export type OutboundDirectory = z.output<typeof outboundDirectorySchema>;
