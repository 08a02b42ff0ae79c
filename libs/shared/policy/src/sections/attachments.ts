import { z } from 'zod';

// Stages 2 and 4 (F3, F5, F8): what the gateway does with what it finds inside a message: blocked file names,
// true types, archives, active content in documents, antivirus hits and the SHA-256 list of known-bad files.
// The content library finds; this section decides. Defaults block what the seed promises and never let a
// message through that could not be fully looked at.

/** A file extension without the dot, stored in lower case. */
export const extension = z
  .string()
  .trim()
  .transform((e) => e.toLowerCase().replace(/^\./, ''))
  .pipe(z.string().regex(/^[a-z0-9_-]{1,16}$/, 'must be a file extension (1-16 letters, digits, _ or -), e.g. "iso"'));

/** block: refuse (554); quarantine: keep for an administrator; allow: let it through (the finding is still recorded). */
export const fileDisposition = z.enum(['block', 'quarantine', 'allow']);

/**
 * What one kind of active content does: block (554), quarantine, tag, score (the symbol's default score counts
 * toward the thresholds) or allow (recorded with score 0).
 */
export const contentDisposition = z.enum(['block', 'quarantine', 'tag', 'score', 'allow']);

/** Per true type: block when the extension does not match the content, block every such file, or never block. */
export const typeRule = z.enum(['mismatch', 'always', 'never']);

export const typeRulesSchema = z
  .object({
    /** Windows, Linux and macOS programs and scripts, by content, at any depth. */
    executable: typeRule.default('always'),
    word: typeRule.default('mismatch'),
    excel: typeRule.default('mismatch'),
    powerpoint: typeRule.default('mismatch'),
    hwp: typeRule.default('mismatch'),
    pdf: typeRule.default('mismatch'),
    text: typeRule.default('never'),
  })
  .strict();

export const archivePolicySchema = z
  .object({
    /** An encrypted archive no password from the message body opens (one that opens is scanned like any other). */
    encrypted: fileDisposition.default('quarantine'),
    /** An archive that cannot be opened (ALZip egg, ACE, ARC, damaged) or nested past maxDepth. */
    unscannable: fileDisposition.default('quarantine'),
    /** Over a bomb limit (ratio, total bytes, entries, overlapping entries). */
    bomb: fileDisposition.default('block'),
    /** Archives inside archives that are opened; the seed promises 2. */
    maxDepth: z.number().int().min(2).max(10).default(3),
    maxEntries: z.number().int().min(10).max(100_000).default(2000),
    maxTotalBytes: z.number().int().min(1024 * 1024).max(4 * 1024 * 1024 * 1024).default(256 * 1024 * 1024),
    maxEntryBytes: z.number().int().min(64 * 1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
    /** Decompressed / compressed size of one member (checked once it is larger than 1 MiB). */
    maxRatio: z.number().int().min(10).max(10_000).default(200),
    /** Passwords taken from the message body and tried on an encrypted archive. */
    maxPasswordAttempts: z.number().int().min(0).max(50).default(10),
    /** Wall time of one external extractor run (7-Zip). */
    extractorTimeoutMs: z.number().int().min(1000).max(300_000).default(20_000),
  })
  .strict();

export const activeContentSchema = z
  .object({
    vba: contentDisposition.default('score'),
    xlm: contentDisposition.default('quarantine'),
    dde: contentDisposition.default('quarantine'),
    externalLink: contentDisposition.default('quarantine'),
    oleObject: contentDisposition.default('score'),
    lnk: contentDisposition.default('block'),
    /** Password-protected Office and HWP documents (their content cannot be checked). */
    encryptedDocument: contentDisposition.default('score'),
    hwpScript: contentDisposition.default('score'),
    pdfJavascript: contentDisposition.default('score'),
    pdfOpenAction: contentDisposition.default('score'),
    pdfLaunch: contentDisposition.default('block'),
    pdfEmbeddedFile: contentDisposition.default('score'),
    rtfObject: contentDisposition.default('score'),
    htmlSmuggling: contentDisposition.default('quarantine'),
    /** Macro-enabled content or macros under a macro-free extension or content type (a .docm sent as .docx). */
    disguisedMacro: contentDisposition.default('quarantine'),
  })
  .strict();

export type ActiveContentKind = keyof z.output<typeof activeContentSchema>;

export const antivirusPolicySchema = z
  .object({
    /** ClamAV through the node's clamd (MOAT_CLAMD). */
    clamav: z.boolean().default(true),
    /** The SHA-256 list below. */
    hashDb: z.boolean().default(true),
    /** What a signature or hash hit does. */
    infected: z.enum(['block', 'quarantine']).default('block'),
    /** An engine that cannot be reached or does not answer in time: 451 (the sender retries) or hold; never a pass. */
    unavailable: z.enum(['tempfail', 'hold']).default('tempfail'),
    /** An engine that answers but will not scan a file (size limit, engine error). */
    unscannable: fileDisposition.default('quarantine'),
    /** Longest the engines may take on one message (the whole message and every file in it); past it they count as unavailable. */
    timeoutMs: z.number().int().min(1000).max(600_000).default(120_000),
    /** Longest one engine may take on one file (one clamd INSTREAM); past it the engine counts as unavailable. */
    fileTimeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
  })
  .strict();

const hashEntrySchema = z
  .object({
    sha256: z
      .string()
      .trim()
      .transform((h) => h.toLowerCase())
      .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex (64 characters)')),
    /** What a hit is reported as, e.g. "Moat.Hash.Emotet.2024-11". */
    name: z.string().trim().min(1).max(200),
  })
  .strict();

/** Known-bad attachments by SHA-256, distributed by the CSM with the policy; `version` is what nodes report. */
export const hashDbSchema = z
  .object({
    version: z.string().trim().max(100).default(''),
    entries: z.array(hashEntrySchema).max(1_000_000).default([]),
  })
  .strict();

/**
 * Extensions ransomware droppers arrive as (besides the seed's): scripts, shortcuts, disk images, help files,
 * Excel add-ins and OneNote files. Blocked when the ransomware group is on.
 */
export const RANSOMWARE_EXTENSIONS: readonly string[] = Object.freeze(['ps1', 'psm1', 'lnk', 'iso', 'img', 'vhd', 'vhdx', 'chm', 'reg', 'sct', 'xll', 'one', 'appx', 'msix', 'application', 'gadget', 'url', 'wsh', 'hta', 'js', 'jse', 'vbs', 'vbe', 'wsf', 'scr']);

/**
 * The ransomware group (F8) as one switch: the ransomware extensions blocked, type forgery blocked for every
 * type, VBA and Excel 4 macros, and antivirus hits, all with `action` (or stricter where the rest of the section
 * already is). Its findings also carry the RANSOMWARE symbol so that reports can count them.
 */
export const ransomwareSchema = z
  .object({
    enabled: z.boolean().default(false),
    action: z.enum(['block', 'quarantine']).default('block'),
  })
  .strict();

export const attachmentsSchema = z
  .object({
    blockedExtensions: z
      .object({
        /** The seed's list (ace bat cmd com cpl exe hta jar js jse msc msi msp pif scr vb vbe vbs ws wsc wsf wsh). */
        seed: z.boolean().default(true),
        /** The administrator's own, applied like the seed's to every file at every depth. */
        add: z.array(extension).default([]),
        action: z.enum(['block', 'quarantine']).default('block'),
      })
      .strict()
      .default({ seed: true, add: [], action: 'block' }),
    /** Double extensions (invoice.pdf.exe) and right-to-left-override names. */
    disguisedName: fileDisposition.default('block'),
    types: typeRulesSchema.default(() => typeRulesSchema.parse({})),
    archives: archivePolicySchema.default(() => archivePolicySchema.parse({})),
    activeContent: activeContentSchema.default(() => activeContentSchema.parse({})),
    /** A message the MIME walk could not finish (a limit, damage, or the inspection budget): never delivered as if clean. */
    incomplete: z.enum(['quarantine', 'block']).default('quarantine'),
    /**
     * Longest the inspection of one message (MIME walk, archives, documents) may run on a scan node, which runs
     * it in a worker thread and stops it there; past it the message is incomplete (above).
     */
    inspectionTimeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
    antivirus: antivirusPolicySchema.default(() => antivirusPolicySchema.parse({})),
    hashDb: hashDbSchema.default(() => hashDbSchema.parse({})),
    ransomware: ransomwareSchema.default(() => ransomwareSchema.parse({})),
  })
  .strict();

export type AttachmentsPolicy = z.output<typeof attachmentsSchema>;
export type TypeRules = z.output<typeof typeRulesSchema>;
export type ContentDisposition = z.output<typeof contentDisposition>;
export type FileDisposition = z.output<typeof fileDisposition>;
