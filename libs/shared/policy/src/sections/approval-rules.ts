import { z } from 'zod';
import { DLP_KIND_NAMES } from './dlp.js';
import { domainName } from './fields.js';

// Outbound approval rules (F7): conditions that hold an outbound message for an approver, beside DLP's `hold`.
// A rule matches when every condition it names matches; each matching rule fires APPROVAL_RULE with its name.

/** A file type as its extension (zip, xlsx, tar.gz), lower case: the detected type or the name's extension. */
const fileType = z
  .string()
  .regex(/^[a-z0-9]{1,10}(?:\.[a-z0-9]{1,10})?$/i, 'must be a file type extension such as zip or xlsx')
  .transform((s) => s.toLowerCase());

/** A plain word or phrase (no pattern), compared case-insensitively. */
const keyword = z
  .string()
  .trim()
  .min(2, 'must be at least 2 characters')
  .max(100, 'must be at most 100 characters')
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters')
  .transform((s) => s.toLowerCase());

const CONDITIONS = ['attachmentTypes', 'recipientsOutside', 'recipientsInside', 'sizeOver', 'keywords', 'dlpKinds'] as const;

export const approvalRuleSchema = z
  .object({
    /** Shown in the APPROVAL_RULE symbol and to approvers. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'must be 1-64 letters, digits, spaces, _ . or -, starting with a letter or digit'),
    /** Any attachment or archive member of one of these types (detected type or file name extension). */
    attachmentTypes: z.array(fileType).min(1).max(64).optional(),
    /** Any recipient outside these domains (and their subdomains). */
    recipientsOutside: z.array(domainName).min(1).max(256).optional(),
    /** Any recipient inside these domains (and their subdomains). */
    recipientsInside: z.array(domainName).min(1).max(256).optional(),
    /** The message is larger than this many bytes. */
    sizeOver: z.number().int().min(0).max(2 ** 40).optional(),
    /** Any of these words in the subject or the body text, case-insensitively. */
    keywords: z.array(keyword).min(1).max(256).optional(),
    /** Any value of one of these DLP kinds found (subject, bodies, attachments' text; `dlp.strictChecksum` applies). */
    dlpKinds: z.array(z.enum(DLP_KIND_NAMES)).min(1).optional(),
  })
  .strict()
  .refine((r) => CONDITIONS.some((c) => r[c] !== undefined), { message: `name at least one condition (${CONDITIONS.join(', ')})` });

export const approvalRulesSchema = z
  .array(approvalRuleSchema)
  .max(100)
  .default([])
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate rule name ${r.name}` });
      seen.add(r.name);
    });
  });

export type ApprovalRule = z.output<typeof approvalRuleSchema>;
