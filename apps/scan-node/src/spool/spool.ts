import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionName } from '@moat/pipeline';
import { MESSAGE_ID_PATTERN } from '../ids.js';
import { DirectorySync, writeFileAtomically, writeNewFile } from '../storage/durable-fs.js';
import { SegmentLog, type LoggedMessage, type SegmentRef } from './segment-log.js';

/** Envelope and verdict of a spooled message (`<id>.json`, written once). */
export interface SpoolMeta {
  id: string;
  receivedAtMs: number;
  mailFrom: string;
  rcptTo: string[];
  clientIp: string;
  helo: string;
  action: ActionName;
  score: number;
  policyVersion: number;
  /** The tenant the message belongs to (F18); absent: "default" (also for messages spooled before tenants). */
  tenant?: string;
  /** Absent: inbound (delivered to the tenant's downstreams only). */
  direction?: 'inbound' | 'outbound';
  /** The SMTP AUTH user of submitted mail. */
  authenticatedUser?: string;
  /** Set when an administrator released the message from quarantine. */
  released?: boolean;
  /**
   * A copy the node made of another message (F9: a forwarded copy, or a bounce to an SRS address sent back):
   * its DeliveryEvents carry that message's id (`of`), and a DSN for it goes to `bounceTo` ('' for none).
   */
  copyOf?: { of: string; rule: string; bounceTo: string };
}

/** Delivery progress (`<id>.state.json`, replaced atomically), absent until the first attempt that left work. */
export interface SpoolState {
  attempts: number;
  nextAttemptAtMs: number;
  /** Recipients that reached a final state; the others are still to deliver. */
  done: Record<string, 'delivered' | 'bounced'>;
}

export interface SpoolEntry {
  meta: SpoolMeta;
  state: SpoolState;
  sizeBytes: number;
}

export type SpoolProblem = { file: string; problem: string };

export interface SpoolOptions {
  /** New messages go to a segment log with group commit (see segment-log.ts) rather than to two files each. */
  segments?: boolean;
}

/**
 * A directory of messages that were answered 250: `<id>.eml` (the raw message with our trace headers) and
 * `<id>.json`. A message counts as spooled once both files and the directory entry are fsynced; anything less
 * found at start was never acknowledged and is removed. With `segments`, new messages are appended to the
 * segment log instead, which most leave on their first delivery attempt; one that needs a retry moves to the
 * two files (with its state file) and is then marked done in the log.
 */
export class Spool {
  private readonly dirSync: DirectorySync;
  private messages = 0;
  private bytes = 0;
  /** Messages in the segment log, by id. */
  private readonly logged = new Map<string, { entry: SpoolEntry; ref: SegmentRef }>();
  /** Ids being appended to the log (a second put of one of them fails as a second file would). */
  private readonly appending = new Set<string>();
  /** With the log: messages in files of their own (they needed a retry), known from recover() and saveState(). */
  private readonly inFiles = new Set<string>();

  private constructor(
    readonly dir: string,
    private readonly log: SegmentLog | undefined,
    /** What the log held at open, until recover() takes it over. */
    private unrecovered: LoggedMessage[],
  ) {
    this.dirSync = new DirectorySync(dir);
  }

  static async open(dir: string, options: SpoolOptions = {}): Promise<Spool> {
    await mkdir(join(dir, 'damaged'), { recursive: true });
    if (!options.segments) return new Spool(dir, undefined, []);
    const { log, messages } = await SegmentLog.open(dir);
    return new Spool(dir, log, messages);
  }

  get count(): number {
    return this.messages;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  messagePath(id: string): string {
    return join(this.dir, `${id}.eml`);
  }

  /** Stores a message durably; resolves only when a crash can no longer lose it. Fails with EEXIST for a known id. */
  async put(meta: SpoolMeta, message: readonly Buffer[]): Promise<SpoolEntry> {
    if (this.log) return this.append(this.log, meta, message);
    const sizeBytes = message.reduce((n, part) => n + part.length, 0);
    const written = await Promise.allSettled([
      writeNewFile(this.messagePath(meta.id), message),
      writeNewFile(join(this.dir, `${meta.id}.json`), [Buffer.from(JSON.stringify(meta))]),
    ]);
    const failure = written.find((r) => r.status === 'rejected');
    if (failure) {
      if ((failure.reason as NodeJS.ErrnoException).code !== 'EEXIST') await this.discard(meta.id);
      throw failure.reason;
    }
    await this.dirSync.sync();
    this.messages++;
    this.bytes += sizeBytes;
    return { meta, state: { attempts: 0, nextAttemptAtMs: meta.receivedAtMs, done: {} }, sizeBytes };
  }

  private async append(log: SegmentLog, meta: SpoolMeta, message: readonly Buffer[]): Promise<SpoolEntry> {
    if (this.appending.has(meta.id) || this.logged.has(meta.id) || this.inFiles.has(meta.id)) {
      throw Object.assign(new Error(`message ${meta.id} is already in the spool`), { code: 'EEXIST' });
    }
    this.appending.add(meta.id);
    try {
      const ref = await log.append(meta.id, Buffer.from(JSON.stringify(meta)), message);
      const entry: SpoolEntry = { meta, state: { attempts: 0, nextAttemptAtMs: meta.receivedAtMs, done: {} }, sizeBytes: ref.length };
      this.logged.set(meta.id, { entry, ref });
      this.messages++;
      this.bytes += ref.length;
      return entry;
    } finally {
      this.appending.delete(meta.id);
    }
  }

  /** The entry with this id, or undefined when it is not (or no longer) in the spool. */
  async get(id: string): Promise<SpoolEntry | undefined> {
    const logged = this.logged.get(id);
    if (logged) return logged.entry;
    if (!MESSAGE_ID_PATTERN.test(id)) return undefined;
    try {
      await stat(join(this.dir, `${id}.json`));
    } catch {
      return undefined;
    }
    return this.load(id, []);
  }

  readMessage(id: string): Promise<Buffer> {
    const logged = this.logged.get(id);
    return logged && this.log ? this.log.read(logged.ref) : readFile(this.messagePath(id));
  }

  async saveState(entry: SpoolEntry): Promise<void> {
    const id = entry.meta.id;
    const logged = this.logged.get(id);
    if (logged && this.log) {
      // A message that needs a retry leaves the log for its own files, so that the log's segments stay short-lived.
      await Promise.all([writeNewFile(this.messagePath(id), [await this.log.read(logged.ref)]), writeNewFile(join(this.dir, `${id}.json`), [Buffer.from(JSON.stringify(entry.meta))])]);
    }
    // Its directory fsync also makes the two new files' entries durable.
    await writeFileAtomically(join(this.dir, `${id}.state.json`), JSON.stringify(entry.state));
    if (logged && this.log) {
      this.logged.delete(id);
      this.inFiles.add(id);
      this.log.done(id, logged.ref);
    }
  }

  /** Removes a message that reached a final state. Not synced: a removal lost in a crash means one more delivery, never a loss. */
  async remove(entry: SpoolEntry): Promise<void> {
    const id = entry.meta.id;
    const logged = this.logged.get(id);
    if (logged && this.log) {
      this.logged.delete(id);
      this.log.done(id, logged.ref);
      this.messages--;
      this.bytes -= entry.sizeBytes;
      return;
    }
    // A state file exists only once an attempt left work for later.
    const suffixes = entry.state.attempts > 0 ? ['eml', 'json', 'state.json'] : ['eml', 'json'];
    await Promise.all(suffixes.map((suffix) => unlinkIfPresent(join(this.dir, `${id}.${suffix}`))));
    this.inFiles.delete(id);
    this.messages--;
    this.bytes -= entry.sizeBytes;
  }

  /**
   * Lists every acknowledged message after a restart. Removes leftovers of writes that never completed and
   * moves unreadable metadata to `damaged/` (reported, never deleted).
   */
  async recover(): Promise<{ entries: SpoolEntry[]; problems: SpoolProblem[] }> {
    const names = await readdir(this.dir);
    const byId = new Map<string, Set<string>>();
    const problems: SpoolProblem[] = [];
    for (const name of names) {
      if (name === 'damaged' || SegmentLog.isSegmentName(name)) continue;
      const match = /^([0-9A-Z]{26})\.(eml|json|state\.json)$/.exec(name);
      if (!match || !MESSAGE_ID_PATTERN.test(match[1]!)) {
        await rm(join(this.dir, name), { force: true, recursive: true });
        continue;
      }
      const kinds = byId.get(match[1]!) ?? new Set<string>();
      kinds.add(match[2]!);
      byId.set(match[1]!, kinds);
    }
    const entries: SpoolEntry[] = [];
    for (const [id, kinds] of byId) {
      if (!kinds.has('eml') || !kinds.has('json')) {
        await this.discard(id);
        continue;
      }
      const entry = await this.load(id, problems);
      if (entry) entries.push(entry);
    }
    if (this.log) for (const entry of entries) this.inFiles.add(entry.meta.id);
    entries.push(...(await this.recoverLogged(this.inFiles, problems)));
    entries.sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1));
    this.messages = entries.length;
    this.bytes = entries.reduce((n, e) => n + e.sizeBytes, 0);
    return { entries, problems };
  }

  /** Takes over the log's messages; one that already moved to its own files (a crash in between) is done in the log. */
  private async recoverLogged(inFiles: ReadonlySet<string>, problems: SpoolProblem[]): Promise<SpoolEntry[]> {
    const log = this.log;
    const found = this.unrecovered;
    this.unrecovered = [];
    if (!log) return [];
    const entries: SpoolEntry[] = [];
    for (const { id, meta, ref } of found) {
      if (inFiles.has(id)) {
        log.done(id, ref);
        continue;
      }
      if (!isSpoolMeta(meta)) {
        const file = join(this.dir, 'damaged', `${id}.json`);
        problems.push({ file, problem: 'missing envelope fields in the segment log; copied to damaged/' });
        await writeFile(file, JSON.stringify(meta));
        await writeFile(join(this.dir, 'damaged', `${id}.eml`), await log.read(ref));
        log.done(id, ref);
        continue;
      }
      const entry: SpoolEntry = { meta, state: { attempts: 0, nextAttemptAtMs: meta.receivedAtMs, done: {} }, sizeBytes: ref.length };
      this.logged.set(id, { entry, ref });
      entries.push(entry);
    }
    return entries;
  }

  private async load(id: string, problems: SpoolProblem[]): Promise<SpoolEntry | undefined> {
    const metaFile = join(this.dir, `${id}.json`);
    let meta: SpoolMeta;
    try {
      const parsed: unknown = JSON.parse(await readFile(metaFile, 'utf8'));
      if (!isSpoolMeta(parsed) || parsed.id !== id) throw new Error('missing envelope fields');
      meta = parsed;
    } catch (err) {
      problems.push({ file: metaFile, problem: `${(err as Error).message}; moved to damaged/` });
      for (const suffix of ['eml', 'json', 'state.json']) {
        await rename(join(this.dir, `${id}.${suffix}`), join(this.dir, 'damaged', `${id}.${suffix}`)).catch(() => undefined);
      }
      return undefined;
    }
    let state: SpoolState = { attempts: 0, nextAttemptAtMs: meta.receivedAtMs, done: {} };
    try {
      state = JSON.parse(await readFile(join(this.dir, `${id}.state.json`), 'utf8')) as SpoolState;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push({ file: `${id}.state.json`, problem: `${(err as Error).message}; delivery restarts` });
    }
    return { meta, state, sizeBytes: (await stat(this.messagePath(id))).size };
  }

  private async discard(id: string): Promise<void> {
    await Promise.all(['eml', 'json', 'state.json'].map((suffix) => unlinkIfPresent(join(this.dir, `${id}.${suffix}`))));
  }
}

function isSpoolMeta(value: unknown): value is SpoolMeta {
  if (typeof value !== 'object' || value === null) return false;
  const meta = value as Partial<SpoolMeta>;
  return typeof meta.id === 'string' && Array.isArray(meta.rcptTo) && typeof meta.mailFrom === 'string' && typeof meta.receivedAtMs === 'number';
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
