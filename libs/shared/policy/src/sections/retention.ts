import { z } from 'zod';

// F24: which message bodies are kept beyond delivery, per direction, and for how long. Quarantined and held
// messages are always in the quarantine (moat_quarantine) until released or deleted, since a release needs them;
// `all` also keeps delivered mail in moat_bodies for `days`, `none` keeps no body viewable through mail tracking.
// Metadata (mail tracking, statistics, audit) has its own period: the CSM's MOAT_RETENTION_DAYS (a table TTL).

export const directionRetentionSchema = z
  .object({
    bodies: z.enum(['none', 'quarantined', 'all']).default('quarantined'),
    /** How long a kept body of delivered mail stays; fractions are allowed (0.5 = 12 hours). */
    days: z.number().positive().max(3650).default(30),
  })
  .strict();

export const retentionSchema = z
  .object({
    inbound: directionRetentionSchema.default(() => directionRetentionSchema.parse({})),
    outbound: directionRetentionSchema.default(() => directionRetentionSchema.parse({})),
  })
  .strict();

export type RetentionPolicy = z.output<typeof retentionSchema>;
export type DirectionRetention = z.output<typeof directionRetentionSchema>;
