import { z } from 'zod';

// F20 data loss prevention: what the gateway does when a message carries personal data (@moat/dlp finds it,
// masked; this section decides). Off until an administrator turns it on. Per kind: how many distinct values
// make a finding count (e.g. 5 or more resident numbers) and the action: log (record the masked finding, deliver),
// hold (keep the message for an administrator's approval) or block (refuse it).

/** The kinds of personal data @moat/dlp detects. */
export const DLP_KIND_NAMES = ['rrn', 'foreigner-rrn', 'passport', 'driver-licence', 'card', 'bank-account', 'phone', 'email'] as const;
export type DlpKindName = (typeof DLP_KIND_NAMES)[number];

export const dlpAction = z.enum(['log', 'hold', 'block']);
export type DlpAction = z.output<typeof dlpAction>;

export const dlpRuleSchema = z
  .object({
    /** Distinct values of the kind in one message from which the rule acts. */
    threshold: z.number().int().min(1).max(1_000_000).default(1),
    action: dlpAction.default('log'),
  })
  .strict();

export const dlpSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Mail the detectors look at: outbound by default; the same detectors can apply to inbound mail. */
    directions: z
      .array(z.enum(['inbound', 'outbound']))
      .min(1, 'name at least one direction')
      .default(['outbound'])
      .refine((d) => new Set(d).size === d.length, 'directions must not repeat'),
    /**
     * Resident and foreigner numbers must satisfy the checksum. Numbers issued since October 2020 may not:
     * false finds those too (and more false positives).
     */
    strictChecksum: z.boolean().default(true),
    /**
     * Outbound mail held for an approver (F7) and not decided within this many hours is rejected: the sender is
     * told, the message deleted. Fractions allowed.
     */
    approvalExpiryHours: z.number().positive().max(8760).default(72),
    /** Per kind; a kind not listed is not looked for. */
    rules: z.partialRecord(z.enum(DLP_KIND_NAMES), dlpRuleSchema).default({}),
  })
  .strict();

export type DlpPolicy = z.output<typeof dlpSchema>;
export type DlpRule = z.output<typeof dlpRuleSchema>;
