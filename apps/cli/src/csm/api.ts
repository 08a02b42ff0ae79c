import { z } from 'zod';

// Shapes of the CSM REST API responses the CLI reads (docs/architecture.md, REST API). Parsing them at the
// boundary turns a contract drift into a clear error instead of "undefined" in a table. Unknown fields pass
// through so `--json` output keeps everything the CSM sends.

const health = z.looseObject({ ok: z.boolean(), detail: z.string().optional() });

export const nodeStatusSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  smtpAddress: z.string(),
  metricsUrl: z.string(),
  up: z.boolean(),
  lastHeartbeatMs: z.number().nullable(),
  policyVersion: z.number(),
  /** The DNS servers the node's checks ask: the policy's ("configured") or the machine's ("system"). */
  resolver: z.looseObject({ source: z.string(), servers: z.array(z.string()), warning: z.string() }).optional(),
  /** When an administrator revoked the node (`moat nodes revoke`); 0 when not revoked. */
  revokedAtMs: z.number().optional(),
  /** Engine versions the node reports (clamav, classifier, ...). */
  engineVersions: z.record(z.string(), z.string()).optional(),
});

export const statusSchema = z.looseObject({
  policyVersion: z.number(),
  nats: health,
  clickhouse: health,
  nodes: z.array(nodeStatusSchema),
});
export type Status = z.infer<typeof statusSchema>;

export const policyResultSchema = z.looseObject({ version: z.number(), policy: z.record(z.string(), z.unknown()) });

export const policyVersionsSchema = z.array(
  z.looseObject({ version: z.number(), createdAtMs: z.number(), author: z.string(), comment: z.string().optional() }),
);

export const listEditResultSchema = z.looseObject({ version: z.number(), values: z.array(z.string()) });

export const statsSchema = z.looseObject({
  total: z.number(),
  byDirectionAction: z.array(z.looseObject({ direction: z.string(), action: z.string(), count: z.number() })),
  daily: z.array(z.looseObject({ day: z.string(), direction: z.string(), action: z.string(), count: z.number() })),
});
export type Stats = z.infer<typeof statsSchema>;

export const mailRowSchema = z.looseObject({
  id: z.string(),
  receivedAtMs: z.number(),
  nodeId: z.string(),
  direction: z.string(),
  mailFrom: z.string(),
  rcptTo: z.array(z.string()),
  subject: z.string(),
  clientIp: z.string(),
  action: z.string(),
  score: z.number(),
  deliveryStatus: z.string(),
  released: z.boolean(),
  nodeName: z.string().optional(),
});
export type MailRow = z.infer<typeof mailRowSchema>;

/** GET /api/mail and POST /api/mail/search: one page; nextCursor continues it. */
export const mailSearchSchema = z.looseObject({ messages: z.array(mailRowSchema), nextCursor: z.string().nullable().optional() });

export const mailDetailSchema = mailRowSchema.extend({
  tls: z.boolean().default(false),
  tlsVersion: z.string().default(''),
  tlsCipher: z.string().default(''),
  tlsServerName: z.string().default(''),
  symbols: z.array(z.looseObject({ name: z.string(), score: z.number(), detail: z.string() })),
  attachments: z.array(z.looseObject({ name: z.string() })),
});
export type MailDetail = z.infer<typeof mailDetailSchema>;

export const releaseResultSchema = z.looseObject({ ok: z.boolean(), nodeId: z.string(), detail: z.string() });

/** POST /api/mail/:id/report and POST /api/classifier/learn. */
export const reportResultSchema = releaseResultSchema.extend({ modelVersion: z.string(), policyVersion: z.number() });

/** POST /api/classifier/models. */
export const modelChangeSchema = z.looseObject({ modelVersion: z.string(), policyVersion: z.number() });

/** GET /api/classifier. */
export const classifierStatusSchema = z.looseObject({
  policyVersion: z.number(),
  settings: z.looseObject({ enabled: z.boolean(), modelVersion: z.string() }),
  activeModelVersion: z.string(),
  shippedModelVersion: z.string(),
  models: z.array(z.looseObject({ version: z.string(), sizeBytes: z.number(), createdAtMs: z.number(), source: z.string(), base: z.string() })),
});

/** Error bodies: the documented `{error, problems[]}` and NestJS's default `{message}`. */
export const errorBodySchema = z.looseObject({
  error: z.string().optional(),
  message: z.union([z.string(), z.array(z.string())]).optional(),
  problems: z.array(z.string()).optional(),
});

export const accountsViewSchema = z.looseObject({
  version: z.number(),
  domains: z.array(z.looseObject({ name: z.string(), accounts: z.array(z.string()) })),
  senders: z.array(z.looseObject({ address: z.string(), canSend: z.boolean(), hasPassword: z.boolean(), aliases: z.array(z.string()) })).default([]),
});
export const accountPasswordSchema = z.looseObject({ version: z.number(), address: z.string(), canSend: z.boolean() });
export const accountsImportSchema = z.looseObject({ version: z.number(), domains: z.array(z.looseObject({ name: z.string(), accounts: z.number(), added: z.number() })) });

export const auditEntrySchema = z.looseObject({
  seq: z.number(),
  atMs: z.number(),
  admin: z.string(),
  action: z.string(),
  target: z.string(),
  detail: z.string(),
  ok: z.boolean(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** GET /api/audit. */
export const auditPageSchema = z.looseObject({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() });

/** GET /api/audit/verify. */
export const auditVerificationSchema = z.looseObject({
  ok: z.boolean(),
  checked: z.number(),
  firstSeq: z.number(),
  lastSeq: z.number(),
  headSeq: z.number(),
  broken: z.looseObject({ seq: z.number(), reason: z.string() }).nullable(),
});
export type AuditVerification = z.infer<typeof auditVerificationSchema>;

/** POST /api/mail/actions. */
export const bulkResultSchema = z.looseObject({
  action: z.string(),
  ok: z.number(),
  failed: z.number(),
  results: z.array(z.looseObject({ id: z.string(), ok: z.boolean(), detail: z.string() })),
});

/** GET /api/policy/diff. */
export const policyDiffSchema = z.looseObject({
  from: z.number(),
  to: z.number(),
  changes: z.array(z.looseObject({ path: z.string(), op: z.enum(['add', 'remove', 'change']), from: z.unknown().optional(), to: z.unknown().optional() })),
});
export type PolicyDiff = z.infer<typeof policyDiffSchema>;

/** GET /api/stats?by=... */
export const breakdownSchema = z.looseObject({
  by: z.string(),
  direction: z.string(),
  total: z.number(),
  truncated: z.boolean(),
  rows: z.array(z.looseObject({ key: z.string(), action: z.string(), count: z.number() })),
});
export type Breakdown = z.infer<typeof breakdownSchema>;
/** GET /api/events: exported events (fields by kind, docs/architecture.md "Event export") and the next cursor. */
export const eventPageSchema = z.looseObject({
  events: z.array(z.looseObject({ seq: z.number(), id: z.string(), kind: z.string(), atMs: z.number() })),
  cursor: z.string(),
});

export const dkimDomainSchema = z.looseObject({
  domain: z.string(),
  keys: z.array(
    z.looseObject({ selector: z.string(), algorithm: z.string(), active: z.boolean(), createdAtMs: z.number(), dnsName: z.string(), dnsValue: z.string(), dnsStrings: z.array(z.string()) }),
  ),
});
export const dkimListSchema = z.array(dkimDomainSchema);


/** An administrator as GET /api/admins lists it. */
export const adminSchema = z.looseObject({ username: z.string(), role: z.string(), tenant: z.string(), mustChangePassword: z.boolean(), totpEnabled: z.boolean() });
export const adminListSchema = z.looseObject({ admins: z.array(adminSchema) });
/** POST /api/admins/:name/password; `password` only when the CSM generated it. */
export const generatedPasswordSchema = z.looseObject({ password: z.string().optional() });
/** POST /api/admins. */
export const adminCreatedSchema = generatedPasswordSchema.extend({ admin: adminSchema });

/** POST /api/tenants, GET /api/tenants (one element). */
export const tenantSchema = z.looseObject({ id: z.string(), name: z.string(), domains: z.array(z.string()), policyVersion: z.number(), admins: z.number() });
export const tenantListSchema = z.looseObject({ tenants: z.array(tenantSchema) });

/** POST /api/auth/login. */
export const sessionSchema = z.looseObject({ token: z.string(), expiresAt: z.number() });

/** GET /api/certificates (one element), PUT /api/certificates/:domain, POST .../import. Never a key. */
export const certificateViewSchema = z.looseObject({
  domain: z.string(),
  status: z.string(),
  keyType: z.string(),
  subject: z.string(),
  sans: z.array(z.string()),
  issuer: z.string(),
  notBefore: z.number(),
  notAfter: z.number(),
  daysLeft: z.number(),
  fingerprint: z.string(),
  warning: z.string(),
  csrPending: z.boolean(),
});
export type CertificateView = z.infer<typeof certificateViewSchema>;

/** POST /api/certificates/csr. */
export const csrResultSchema = z.looseObject({ domain: z.string(), keyType: z.string(), csr: z.string() });

/** GET /api/holds: held mail per domain, summed across nodes (delivery hold windows, F9). */
export const holdsSchema = z.looseObject({
  domains: z.array(
    z.looseObject({
      domain: z.string(),
      messages: z.number(),
      bytes: z.number(),
      oldestReceivedAtMs: z.number(),
      releaseAtMs: z.number(),
      nextHoldAtMs: z.number(),
      nodes: z.array(z.looseObject({ nodeName: z.string(), messages: z.number(), bytes: z.number(), up: z.boolean() })),
    }),
  ),
});

/** POST /api/holds/:domain/release. */
export const holdReleaseSchema = z.looseObject({ domain: z.string(), nodes: z.array(z.looseObject({ nodeId: z.string(), ok: z.boolean(), detail: z.string() })) });

/** One AUTH block (POST /api/auth-blocks, DELETE /api/auth-blocks/:ip). */
export const authBlockSchema = z.looseObject({
  ip: z.string(),
  firstSeenMs: z.number(),
  lastSeenMs: z.number(),
  expiresAtMs: z.number(),
  failures: z.number(),
  blocks: z.number(),
  source: z.string(),
  rule: z.string(),
  country: z.string(),
  active: z.boolean(),
});
export type AuthBlockView = z.infer<typeof authBlockSchema>;

/** GET /api/auth-blocks: addresses blocked from SMTP AUTH on every node (F6). */
export const authBlocksSchema = z.looseObject({ blocks: z.array(authBlockSchema) });

/** A compromised-account record (F6): DELETE /api/account-blocks/:address, and each of GET /api/account-blocks. */
export const accountBlockSchema = z.looseObject({
  address: z.string(),
  state: z.string(),
  active: z.boolean(),
  sign: z.string(),
  detail: z.string(),
  sinceMs: z.number(),
  untilMs: z.number(),
  trips: z.number(),
});
export type AccountBlockView = z.infer<typeof accountBlockSchema>;
export const accountBlocksSchema = z.looseObject({ accounts: z.array(accountBlockSchema) });

/** GET /api/approvals: held outbound mail awaiting an approver (F7), as mail rows with why each was held. */
export const approvalsSchema = z.looseObject({ messages: z.array(mailRowSchema.extend({ reasons: z.array(z.string()).default([]) })) });

/** POST /api/approvals/:id/approve and .../reject. */
export const approvalDecisionSchema = z.looseObject({ id: z.string(), decision: z.enum(['approved', 'rejected']), nodeId: z.string(), detail: z.string() });

/** PUT/GET /api/directory: the tenant's directory settings (never the bind password) and the last sync. */
export const directoryReportSchema = z.looseObject({
  atMs: z.number(),
  dryRun: z.boolean(),
  ok: z.boolean(),
  author: z.string(),
  error: z.string().optional(),
  policyVersion: z.number().optional(),
  added: z.array(z.looseObject({ address: z.string(), aliases: z.array(z.string()), dn: z.string() })),
  changed: z.array(z.looseObject({ address: z.string(), changes: z.array(z.string()) })),
  removed: z.array(z.looseObject({ address: z.string(), dn: z.string() })),
  groups: z.array(z.looseObject({ name: z.string(), members: z.array(z.string()), change: z.string() })),
  roles: z.array(z.looseObject({ username: z.string(), role: z.string().nullable(), change: z.string() })),
  skipped: z.array(z.string()),
});
export type DirectoryReport = z.infer<typeof directoryReportSchema>;

export const directoryViewSchema = z.looseObject({
  settings: z.looseObject({ url: z.string(), baseDn: z.string(), bindDn: z.string(), preset: z.string(), scheduleMinutes: z.number(), hasBindPassword: z.boolean() }).nullable(),
  lastSync: directoryReportSchema.nullable(),
});
