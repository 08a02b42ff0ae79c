import { createHash } from 'node:crypto';
import { candidatePasswords } from './archive/passwords.js';
import { GzipReader } from './archive/gzip.js';
import { RarReader } from './archive/rar.js';
import { SevenZipReader } from './archive/seven-zip.js';
import { TarReader } from './archive/tar.js';
import { ArchiveBudget, type ContainerReader, type Issue } from './archive/types.js';
import { ZipReader } from './archive/zip.js';
import { ACTIVE_CONTENT_DETECTORS } from './active/detectors.js';
import type { Finding } from './findings.js';
import { checkFileName, SEED_BLOCKED_EXTENSIONS } from './filetype/extension-policy.js';
import { detectTrueType } from './filetype/true-type.js';
import type { ContainerFormat, TrueType } from './filetype/type-kind.js';
import { checkMacroDisguise } from './filetype/macro-disguise.js';
import { checkTypeMismatch } from './filetype/type-mismatch.js';
import { DEFAULT_ARCHIVE_LIMITS, DEFAULT_MIME_LIMITS, type ArchiveLimits, type MimeLimits } from './limits.js';
import { walkMime, type MimeLeaf, type MimeWalk } from './mime/walk.js';

export interface InspectOptions {
  mimeLimits?: Partial<MimeLimits>;
  archiveLimits?: Partial<ArchiveLimits>;
  /** Blocked extensions without the dot (default: the seed's list); pass the seed's plus the admin's. */
  blockedExtensions?: readonly string[];
}

/** A file the inspection looked at, at any depth: a MIME leaf, an archive member or an embedded object. */
export interface InspectedFile {
  path: string;
  name: string;
  declaredType: string;
  type: TrueType;
  size: number;
  sha256: string;
  /** 0 for MIME leaves, +1 per container or document it was taken out of. */
  depth: number;
  content: Buffer;
}

export interface ContentReport {
  findings: Finding[];
  files: InspectedFile[];
  /** False when a MIME limit or damage left part of the message unwalked (the policy must not deliver it as clean). */
  complete: boolean;
  parts: number;
}

// Single-stream compressors wrap one file: they do not count as a nesting level.
const COMPRESSOR_EXTS = new Set(['gz', 'tar.gz', 'bz2', 'xz', 'lzma', 'Z', 'zst', 'lz', 'sz_']);

interface Inspection {
  findings: Finding[];
  files: InspectedFile[];
  budget: ArchiveBudget;
  /** Candidate passwords for encrypted archives, worked out from the text parts at the first archive only. */
  passwords: () => string[];
  blocked: ReadonlySet<string>;
  readers: Record<Exclude<ContainerFormat, 'unopenable' | 'message'>, ContainerReader>;
  mimeLimits: MimeLimits;
}

/**
 * Stage 2 for one message: walks the MIME tree, then looks at every leaf and, recursively, every archive
 * member and embedded object: true type, name policy, type mismatch, active content. Never throws on
 * hostile input; limits end in findings. A caller that has walked the message already (with
 * `mimeLimitsOf(options)`) passes its walk.
 */
export async function inspectMessage(raw: Buffer, options: InspectOptions = {}, walk: MimeWalk = walkMime(raw, mimeLimitsOf(options))): Promise<ContentReport> {
  const mimeLimits = mimeLimitsOf(options);
  const archiveLimits = { ...DEFAULT_ARCHIVE_LIMITS, ...options.archiveLimits };
  const sevenZip = new SevenZipReader('archive', archiveLimits.extractorTimeoutMs);
  const inspection: Inspection = {
    findings: [...walk.findings],
    files: [],
    budget: new ArchiveBudget(archiveLimits),
    passwords: once(() =>
      candidatePasswords(
        walk.leaves.filter((l) => l.contentType.startsWith('text/') && !l.filename).map((l) => l.content.toString('utf8')),
        archiveLimits.maxPasswordAttempts,
      ),
    ),
    blocked: new Set((options.blockedExtensions ?? SEED_BLOCKED_EXTENSIONS).map((e) => e.toLowerCase().replace(/^\./, ''))),
    readers: { zip: new ZipReader(sevenZip), tar: new TarReader(), gzip: new GzipReader(), rar: new RarReader(), sevenzip: sevenZip },
    mimeLimits,
  };
  for (const leaf of walk.leaves) await inspectLeaf(inspection, leaf, 0);
  return { findings: inspection.findings, files: inspection.files, complete: walk.complete, parts: walk.parts };
}

/** The MIME limits `inspectMessage` walks with: the defaults, overridden by the options. */
export function mimeLimitsOf(options: InspectOptions): MimeLimits {
  return { ...DEFAULT_MIME_LIMITS, ...options.mimeLimits };
}

async function inspectLeaf(inspection: Inspection, leaf: MimeLeaf, depth: number): Promise<void> {
  await inspectFile(inspection, { path: leaf.path, name: leaf.filename, names: leaf.names, declaredType: leaf.contentType, content: leaf.content, depth });
}

interface FileInput {
  path: string;
  name: string;
  names: readonly string[];
  declaredType: string;
  content: Buffer;
  depth: number;
}

async function inspectFile(inspection: Inspection, input: FileInput): Promise<void> {
  const { path, name, content, depth } = input;
  const type = await detectTrueType(content);
  inspection.files.push({ path, name, declaredType: input.declaredType, type, size: content.length, sha256: createHash('sha256').update(content).digest('hex'), depth, content });
  const report = (issues: readonly Issue[]): void => {
    for (const issue of issues) inspection.findings.push({ ...issue, path });
  };
  for (const each of input.names) report(checkFileName(each, inspection.blocked));
  if (name) report(checkTypeMismatch(name, type));
  if (type.kind === 'executable' || type.kind === 'script') report([{ symbol: 'ATTACHMENT_EXECUTABLE', detail: `${type.ext} (${type.mime})` }]);
  if (type.kind === 'shortcut') report([{ symbol: 'LNK_FILE', detail: `shortcut ${JSON.stringify(name)}` }]);

  const limits = inspection.budget.limits;
  const active: Issue[] = [];
  for (const detector of ACTIVE_CONTENT_DETECTORS) {
    if (!detector.applies(type, name)) continue;
    const analysis = detector.analyze(content, type, inspection.budget.entryAllowance);
    report(analysis.issues);
    active.push(...analysis.issues);
    for (const member of analysis.embedded) {
      if (depth + 1 > limits.maxDepth) {
        report([{ symbol: 'ARCHIVE_DEPTH', detail: `embedded ${JSON.stringify(member.name)} past depth ${limits.maxDepth}` }]);
        continue;
      }
      if (!inspection.budget.take(member.content.length)) {
        report([{ symbol: 'ARCHIVE_BOMB', detail: 'embedded objects past the per-message entry or byte budget' }]);
        break;
      }
      await inspectFile(inspection, { path: `${path}/${member.name}`, name: member.name, names: [member.name], declaredType: '', content: member.content, depth: depth + 1 });
    }
  }
  report(checkMacroDisguise(name, input.declaredType, type, active));
  if (type.container) await openContainer(inspection, input, type, type.container);
}

async function openContainer(inspection: Inspection, input: FileInput, type: TrueType, container: ContainerFormat): Promise<void> {
  const { path, content, depth } = input;
  const limits = inspection.budget.limits;
  const place = (symbol: Finding['symbol'], detail: string): void => void inspection.findings.push({ symbol, detail, path });
  if (container === 'unopenable') return place('ARCHIVE_UNSCANNABLE', `${type.ext} archive: no reader for this format`);
  const nested = COMPRESSOR_EXTS.has(type.ext) ? depth : depth + 1;
  if (nested > limits.maxDepth) return place('ARCHIVE_DEPTH', `${type.ext} at depth ${nested}, past ${limits.maxDepth}; not opened`);
  if (container === 'message') {
    const walk = walkMime(content, inspection.mimeLimits);
    for (const finding of walk.findings) inspection.findings.push({ ...finding, path: `${path}/${finding.path}` });
    for (const leaf of walk.leaves) await inspectLeaf(inspection, { ...leaf, path: `${path}/${leaf.path}` }, nested);
    return;
  }
  let expansion;
  try {
    expansion = await inspection.readers[container].read(content, inspection.budget, inspection.passwords());
  } catch (err) {
    return place('ARCHIVE_UNSCANNABLE', `${type.ext}: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const issue of expansion.issues) place(issue.symbol, issue.detail);
  for (const member of expansion.members) {
    const name = member.name || input.name.replace(/\.(gz|bz2|xz|z)$/i, '') || 'member';
    await inspectFile(inspection, { path: `${path}/${name}`, name, names: [name], declaredType: '', content: member.content, depth: nested });
  }
}

/** FN's result, computed on the first call (most messages carry no archive and never need it). */
function once<T>(fn: () => T): () => T {
  let value: { result: T } | undefined;
  return () => (value ??= { result: fn() }).result;
}
