import { z } from 'zod';
import { extension } from './attachments.js';

// F11: hand-off to an external analysis server (sandbox / APT) over the HTTP interface of
// docs/sandbox-interface.md. Off until servers are configured and it is enabled: every analysis costs the
// message the server's time.

/** Verdict levels a sandbox answers with, mildest first. */
export const SANDBOX_LEVELS = ['clean', 'low', 'medium', 'high', 'malicious'] as const;
export type SandboxLevel = (typeof SANDBOX_LEVELS)[number];

export const sandboxServerSchema = z
  .object({
    /** Base URL (http or https); the interface's paths are under it: `<url>/v1/submissions`. */
    url: z
      .string()
      .url('must be an http(s) URL')
      .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http(s) URL')
      // Server URLs appear in symbol details and logs: a secret belongs in `token`.
      .refine((u) => !new URL(u).username && !new URL(u).password, 'must not hold credentials (use token)')
      .transform((u) => u.replace(/(?<!\/)\/+$/, '')),
    /** Sent as `Authorization: Bearer <token>`. */
    token: z.string().min(1).max(4096).optional(),
    /** PEM file of the CA (or the certificate) the server must present, on the node; unset: the system's CAs. */
    caFile: z.string().min(1).optional(),
  })
  .strict();

/** What a verdict level does: `score` adds the score toward the thresholds; the others also force that action. */
export const sandboxRuleSchema = z
  .object({
    action: z.enum(['score', 'tag', 'hold', 'quarantine', 'reject']),
    score: z.number().min(-100).max(100).default(0),
  })
  .strict();

const defaultRules: Record<SandboxLevel, z.output<typeof sandboxRuleSchema>> = {
  clean: { action: 'score', score: 0 },
  low: { action: 'score', score: 1 },
  medium: { action: 'score', score: 4 },
  high: { action: 'quarantine', score: 0 },
  malicious: { action: 'reject', score: 0 },
};

export const sandboxSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Tried in order: the first is the primary, the next ones take over on a connection error, a 5xx or a timeout of one call. */
    servers: z.array(sandboxServerSchema).max(4).default([]),
    directions: z.array(z.enum(['inbound', 'outbound'])).min(1).default(['inbound']),
    /** `message`: the whole message as one .eml sample; `attachments`: each attachment matching `types` or `extensions`. */
    scope: z.enum(['message', 'attachments']).default('attachments'),
    /** True-type kinds (by content) sent in `attachments` scope, e.g. `executable`, `word`, `pdf`. */
    types: z.array(z.string().regex(/^[a-z]{1,16}$/, 'must be a type kind, e.g. "word"')).default(['executable', 'script', 'word', 'excel', 'powerpoint', 'pdf', 'hwp']),
    /** Declared extensions sent in `attachments` scope whatever the content. */
    extensions: z.array(extension).default([]),
    /** Overall deadline of the analysis of one message (submission, polling, failover). */
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    pollIntervalMs: z.number().int().min(50).max(60_000).default(1000),
    /** Past the deadline or with no server answering: deliver (fail-open) or hold the message (fail-closed). */
    onTimeout: z.enum(['deliver', 'hold']).default('deliver'),
    /** Verdict level → action. */
    rules: z
      .object({
        clean: sandboxRuleSchema.default(defaultRules.clean),
        low: sandboxRuleSchema.default(defaultRules.low),
        medium: sandboxRuleSchema.default(defaultRules.medium),
        high: sandboxRuleSchema.default(defaultRules.high),
        malicious: sandboxRuleSchema.default(defaultRules.malicious),
      })
      .strict()
      .default(() => ({ ...defaultRules })),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.enabled && s.servers.length === 0) ctx.addIssue({ code: 'custom', path: ['servers'], message: 'an enabled sandbox needs at least one server' });
  });

export type SandboxPolicy = z.output<typeof sandboxSchema>;
export type SandboxServer = z.output<typeof sandboxServerSchema>;
export type SandboxRule = z.output<typeof sandboxRuleSchema>;
