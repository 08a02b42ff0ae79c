import { HashDbEngine, SEED_BLOCKED_EXTENSIONS, type ArchiveLimits, type ContentSymbol } from '@moat/content';
import { RANSOMWARE_EXTENSIONS, type ActiveContentKind, type AttachmentsPolicy, type ContentDisposition, type Policy, type TypeRules } from '@moat/policy';

/** What a finding makes of the message: refuse it, keep it, tag it, count its score, or only record it. */
export type Disposition = ContentDisposition;

/** The type-rule classes of the policy (`attachments.types`). */
export type TypeClass = keyof TypeRules;

/** Which active-content switch governs each symbol of the content library. */
const ACTIVE_CONTENT_SYMBOLS: Record<ActiveContentKind, ContentSymbol> = {
  vba: 'OFFICE_VBA',
  xlm: 'OFFICE_XLM',
  dde: 'OFFICE_DDE',
  externalLink: 'OFFICE_EXTERNAL_LINK',
  oleObject: 'OFFICE_OLE_OBJECT',
  lnk: 'LNK_FILE',
  encryptedDocument: 'OFFICE_ENCRYPTED',
  hwpScript: 'HWP_SCRIPT',
  pdfJavascript: 'PDF_JAVASCRIPT',
  pdfOpenAction: 'PDF_OPEN_ACTION',
  pdfLaunch: 'PDF_LAUNCH',
  pdfEmbeddedFile: 'PDF_EMBEDDED_FILE',
  rtfObject: 'RTF_OBJECT',
  htmlSmuggling: 'HTML_SMUGGLING',
  disguisedMacro: 'OFFICE_MACRO_DISGUISED',
};

/** The ransomware group (F8): ransomware extensions, type forgery, macros and antivirus hits. */
const RANSOMWARE_GROUP: readonly ContentSymbol[] = ['ATTACHMENT_BLOCKED_EXTENSION', 'ATTACHMENT_TYPE_MISMATCH', 'ATTACHMENT_DOUBLE_EXTENSION', 'ATTACHMENT_RTLO', 'OFFICE_VBA', 'OFFICE_XLM', 'OFFICE_MACRO_DISGUISED', 'AV_VIRUS', 'AV_HASH'];

const STRICTNESS: Record<Disposition, number> = { allow: 0, score: 1, tag: 2, quarantine: 3, block: 4 };

/** The stricter of two dispositions (the ransomware group only ever tightens the section). */
export function stricter(a: Disposition, b: Disposition): Disposition {
  return STRICTNESS[b] > STRICTNESS[a] ? b : a;
}

/** The attachments section of a policy, prepared once per version. */
export interface CompiledAttachments {
  settings: AttachmentsPolicy;
  /** Blocked extensions without the dot: the seed's (unless turned off), the admin's, the ransomware group's. */
  blockedExtensions: readonly string[];
  archiveLimits: ArchiveLimits;
  /** Disposition of each symbol that does not depend on the file (type rules are applied per file). */
  symbols: ReadonlyMap<ContentSymbol, Disposition>;
  /** Per type class: always block (with this disposition), or what a name/content mismatch does. */
  types: Readonly<Record<TypeClass, { always?: Disposition; mismatch: Disposition }>>;
  /** Symbols that count for the ransomware group when it is on (empty when off). */
  ransomware: ReadonlySet<ContentSymbol>;
  /** The SHA-256 engine over `hashDb.entries`; undefined when turned off. */
  hashDb: HashDbEngine | undefined;
}

export function compileAttachments(policy: Policy, version: number): CompiledAttachments {
  const settings = policy.attachments;
  const preset = settings.ransomware.enabled ? settings.ransomware.action : undefined;
  const symbols = new Map<ContentSymbol, Disposition>();
  symbols.set('ATTACHMENT_BLOCKED_EXTENSION', settings.blockedExtensions.action);
  symbols.set('ATTACHMENT_DOUBLE_EXTENSION', settings.disguisedName);
  symbols.set('ATTACHMENT_RTLO', settings.disguisedName);
  symbols.set('ARCHIVE_ENCRYPTED', settings.archives.encrypted);
  symbols.set('ARCHIVE_UNSCANNABLE', settings.archives.unscannable);
  // Archives past the depth limit were not looked into: as unscannable as one that cannot be opened.
  symbols.set('ARCHIVE_DEPTH', settings.archives.unscannable);
  symbols.set('ARCHIVE_BOMB', settings.archives.bomb);
  for (const [kind, symbol] of Object.entries(ACTIVE_CONTENT_SYMBOLS) as [ActiveContentKind, ContentSymbol][]) symbols.set(symbol, settings.activeContent[kind]);
  symbols.set('AV_VIRUS', settings.antivirus.infected);
  symbols.set('AV_HASH', settings.antivirus.infected);
  symbols.set('AV_UNSCANNABLE', settings.antivirus.unscannable);
  if (preset) for (const symbol of RANSOMWARE_GROUP) symbols.set(symbol, stricter(symbols.get(symbol) ?? 'score', preset));

  const types = {} as Record<TypeClass, { always?: Disposition; mismatch: Disposition }>;
  for (const [type, rule] of Object.entries(settings.types) as [TypeClass, TypeRules[TypeClass]][]) {
    const mismatch: Disposition = rule === 'never' ? 'score' : 'block';
    types[type] = { ...(rule === 'always' ? { always: 'block' as const } : {}), mismatch: preset ? stricter(mismatch, preset) : mismatch };
  }

  const extensions = new Set([...(settings.blockedExtensions.seed ? SEED_BLOCKED_EXTENSIONS : []), ...settings.blockedExtensions.add, ...(preset ? RANSOMWARE_EXTENSIONS : [])]);
  const { maxDepth, maxEntries, maxTotalBytes, maxEntryBytes, maxRatio, maxPasswordAttempts, extractorTimeoutMs } = settings.archives;
  return {
    settings,
    blockedExtensions: [...extensions],
    archiveLimits: { maxDepth, maxEntries, maxTotalBytes, maxEntryBytes, maxRatio, maxPasswordAttempts, extractorTimeoutMs },
    symbols,
    types,
    ransomware: new Set(preset ? RANSOMWARE_GROUP : []),
    hashDb: settings.antivirus.hashDb ? new HashDbEngine(settings.hashDb.entries, settings.hashDb.version || `policy ${version}`) : undefined,
  };
}
