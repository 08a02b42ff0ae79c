import { z } from 'zod';

// Compromised-account signs (F6, issue 13): per authenticated account, counted fleet-wide. A sign that trips
// throttles the account (451 4.7.1 on every node for `throttleMinutes`) or holds its mail for approval until an
// administrator clears it, and raises an alert (the sign's symbol on the message, a mail to `alertAddress`).

const action = z.enum(['throttle', 'hold']);

export const compromiseSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** How long a throttle lasts (minutes); a hold lasts until an administrator clears it. */
    throttleMinutes: z.number().int().min(1).max(7 * 24 * 60).default(30),
    /** Where alerts go (the tenant's administrator); absent: the symbol and the security log only. */
    alertAddress: z
      .string()
      .max(320)
      .regex(/^[^@\s<>]+@[a-z0-9.-]+$/i, 'must be an address (local@domain)')
      .transform((s) => s.toLowerCase())
      .optional(),
    /** Sudden volume: messages in the last hour over `factor` × the account's usual hourly rate and over `floor`. */
    volume: z
      .object({
        enabled: z.boolean().default(true),
        factor: z.number().min(1).max(1000).default(5),
        floor: z.number().int().min(1).default(100),
        /** The usual rate is weighted over about this many hours (exponential weight 1/hours per completed hour). */
        baselineHours: z.number().int().min(1).max(24 * 90).default(168),
        action: action.default('throttle'),
      })
      .strict()
      .default({ enabled: true, factor: 5, floor: 100, baselineHours: 168, action: 'throttle' }),
    /** Many new recipient domains: domains the account never sent to before, in the last hour, over `perHour`. */
    newDomains: z
      .object({
        enabled: z.boolean().default(true),
        perHour: z.number().int().min(1).default(30),
        /** How many recipient domains are remembered per account (the oldest are forgotten first). */
        remember: z.number().int().min(10).max(5000).default(1000),
        action: action.default('throttle'),
      })
      .strict()
      .default({ enabled: true, perHour: 30, remember: 1000, action: 'throttle' }),
    /** Outbound spam: `messages` messages in an hour whose body checks scored at least `score`. */
    spamScore: z
      .object({
        enabled: z.boolean().default(true),
        score: z.number().min(0).default(10),
        messages: z.number().int().min(1).default(3),
        action: action.default('hold'),
      })
      .strict()
      .default({ enabled: true, score: 10, messages: 3, action: 'hold' }),
  })
  .strict();

export type CompromisePolicy = z.output<typeof compromiseSchema>;
