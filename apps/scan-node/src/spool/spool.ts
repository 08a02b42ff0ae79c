import { mkdir, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionName } from '@moat/pipeline';
import { MESSAGE_ID_PATTERN } from '../ids.js';
import { DirectorySync, writeFileAtomically, writeNewFile } from '../storage/durable-fs.js';

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
  /** Set when an administrator released the message from quarantine. */
  released?: boolean;
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

/**
 * A directory of messages that were answered 250: `<id>.eml` (the raw message with our trace headers) and
 * `<id>.json`. A message counts as spooled once both files and the directory entry are fsynced; anything less
 * found at start was never acknowledged and is removed.
 */
export class Spool {
  private readonly dirSync: DirectorySync;
  private messages = 0;
  private bytes = 0;

  private constructor(readonly dir: string) {
    this.dirSync = new DirectorySync(dir);
  }

  static async open(dir: string): Promise<Spool> {
    await mkdir(join(dir, 'damaged'), { recursive: true });
    return new Spool(dir);
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

  /** The entry with this id, or undefined when it is not (or no longer) in the spool. */
  async get(id: string): Promise<SpoolEntry | undefined> {
    if (!MESSAGE_ID_PATTERN.test(id)) return undefined;
    try {
      await stat(join(this.dir, `${id}.json`));
    } catch {
      return undefined;
    }
    return this.load(id, []);
  }

  readMessage(id: string): Promise<Buffer> {
    return readFile(this.messagePath(id));
  }

  async saveState(entry: SpoolEntry): Promise<void> {
    await writeFileAtomically(join(this.dir, `${entry.meta.id}.state.json`), JSON.stringify(entry.state));
  }

  /** Removes a message that reached a final state. Not synced: a removal lost in a crash means one more delivery, never a loss. */
  async remove(entry: SpoolEntry): Promise<void> {
    const id = entry.meta.id;
    // A state file exists only once an attempt left work for later.
    const suffixes = entry.state.attempts > 0 ? ['eml', 'json', 'state.json'] : ['eml', 'json'];
    await Promise.all(suffixes.map((suffix) => unlinkIfPresent(join(this.dir, `${id}.${suffix}`))));
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
      if (name === 'damaged') continue;
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
    entries.sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1));
    this.messages = entries.length;
    this.bytes = entries.reduce((n, e) => n + e.sizeBytes, 0);
    return { entries, problems };
  }

  private async load(id: string, problems: SpoolProblem[]): Promise<SpoolEntry | undefined> {
    const metaFile = join(this.dir, `${id}.json`);
    let meta: SpoolMeta;
    try {
      meta = JSON.parse(await readFile(metaFile, 'utf8')) as SpoolMeta;
      if (meta.id !== id || !Array.isArray(meta.rcptTo) || typeof meta.mailFrom !== 'string') throw new Error('missing envelope fields');
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

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
