import { z } from 'zod';

// Structural and phishing rules (body.rules): checks that need no corpus, no DNS and no fleet state, on by
// default. Each rule is a check with its own symbols; `off` switches checks off by name (like an Rspamd
// module's `enabled = false`), `scores` overrides a symbol's score (0 keeps the symbol as information only).
// The defaults were chosen on the development corpus's older groups and checked on the newer ones
// (benchmarks/rules/RESULTS.md).

/** Every rule symbol with its default score. */
export const RULE_SYMBOL_SCORES = {
  DATE_MISSING: 1,
  DATE_INVALID: 1.5,
  DATE_IN_FUTURE: 2,
  DATE_IN_PAST: 1.5,
  MID_MISSING: 1,
  MID_MALFORMED: 2,
  FROM_MULTIPLE_ADDRESSES: 2,
  FROM_NAME_HAS_ADDRESS: 1.5,
  FROM_NAME_PROTECTED_ADDRESS: 6,
  REPLYTO_FREEMAIL: 1,
  HTML_ONLY: 0.5,
  IMAGE_ONLY: 1,
  HTML_HIDDEN_TEXT: 2,
  URL_IP_HOST: 2.5,
  URL_USERINFO: 3,
  URL_PUNYCODE: 1.5,
  URL_MANY_SUBDOMAINS: 1,
  URL_ENCODED_HOST: 2.5,
  URL_SHORTENER: 1,
  URL_FREE_HOSTING: 1,
  URL_FILE_SHARING: 1,
  URL_FORM_BUILDER: 2,
  URL_IPFS: 3,
  TEXT_BASE64_SHORT: 1,
  HEADER_MIXED_CHARSETS: 1,
  HEADER_EXCESS_ENCODING: 0.5,
  ATTACHMENT_NAME_PADDING: 4,
  XMAILER_SPAM_TOOL: 3,
  BULK_NO_UNSUBSCRIBE: 0.5,
  PHISH_CREDENTIAL_REQUEST: 3,
  PHISH_BRAND_DISPLAY_NAME: 3,
  PHISH_BRAND_SUBJECT: 0.5,
  HTML_ATTACHMENT_FORM: 4,
  HTML_ATTACHMENT_REMOTE_SCRIPT: 3,
  ATTACHMENT_ONLY_LINK: 2,
  QR_CODE_LINK: 3,
} as const satisfies Record<string, number>;

export type RuleSymbol = keyof typeof RULE_SYMBOL_SCORES;

/** The rule checks by name (what `off` lists). */
export const RULE_CHECKS = [
  'date_anomaly',
  'message_id_anomaly',
  'from_anomaly',
  'reply_to_freemail',
  'body_shape',
  'hidden_text',
  'obfuscated_links',
  'link_categories',
  'encoding_tricks',
  'attachment_name_padding',
  'bulk_mailer',
  'credential_request',
  'brand_impersonation',
  'html_attachment_form',
  'qr_code_links',
] as const;

export type RuleCheck = (typeof RULE_CHECKS)[number];

const scoresShape = Object.fromEntries(Object.entries(RULE_SYMBOL_SCORES).map(([symbol, score]) => [symbol, z.number().default(score)])) as {
  [S in RuleSymbol]: z.ZodDefault<z.ZodNumber>;
};

export const rulesSchema = z
  .object({
    /** Off: none of the rule checks runs. */
    enabled: z.boolean().default(true),
    /** Rule checks switched off one by one. */
    off: z.array(z.enum(RULE_CHECKS)).default([]),
    scores: z.object(scoresShape).strict().default(() => z.object(scoresShape).parse({})),
    /** Days a Date may lie before the newest Received date (or the scan time) before DATE_IN_PAST. */
    pastDays: z.number().min(1).max(3650).default(4),
    /** Hours a Date may lie after it before DATE_IN_FUTURE. */
    futureHours: z.number().min(1).max(24 * 365).default(12),
    /** Brands besides the maintained list: name as written in mail → its legitimate registrable domains. */
    brands: z.record(z.string().trim().min(3).max(60), z.array(z.string().trim().toLowerCase().min(3)).min(1)).default({}),
  })
  .strict();

export type RulesPolicy = z.output<typeof rulesSchema>;
