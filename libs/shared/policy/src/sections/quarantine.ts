import { z } from 'zod';

// How long quarantined and held messages wait for an administrator: past `days` after they were received the
// CSM deletes them from the quarantine (moat_quarantine) and their tracking shows `expired`. Fractions are
// allowed (0.5 = 12 hours).

export const quarantineSchema = z
  .object({
    days: z.number().positive().max(3650).default(30),
  })
  .strict();

export type QuarantinePolicy = z.output<typeof quarantineSchema>;
