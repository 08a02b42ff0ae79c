import { close, fdatasync, ftruncate, open, read, readdir, unlink, writev } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { MESSAGE_ID_PATTERN } from '../ids.js';
import { DirectorySync } from '../storage/durable-fs.js';

/** Where a message's bytes are in the log. */
export interface SegmentRef {
  segment: Segment;
  offset: number;
  length: number;
}

/** A message found in the log at start: its metadata (parsed, not yet checked) and where its bytes are. */
export interface LoggedMessage {
  id: string;
  meta: unknown;
  ref: SegmentRef;
}

interface Segment {
  readonly seq: number;
  readonly path: string;
  readonly fd: number;
  /** End of the records queued so far: where the next one goes. */
  size: number;
  /** End of the records handed to a write: where the next write starts. */
  written: number;
  /** Messages in this segment not yet marked done. */
  readonly live: Set<string>;
  /** Records waiting for the next write, in order; PUTs resolve after the fdatasync that follows it. */
  queue: Array<{ record: Buffer[]; length: number; durable?: { resolve: () => void; reject: (err: unknown) => void } }>;
  writing: boolean;
}

const openFd = promisify(open);
const closeFd = promisify(close);
const fdatasyncFd = promisify(fdatasync);
const ftruncateFd = promisify(ftruncate);
const readFd = promisify(read);
const readdirAsync = promisify(readdir);
const unlinkAsync = promisify(unlink);
const writevFd = (fd: number, buffers: Buffer[], position: number) =>
  new Promise<number>((resolve, reject) => writev(fd, buffers, position, (err, written) => (err ? reject(err) : resolve(written))));

const HEADER = 8; // u32 body length, u32 crc32 of the body
const PUT = 1; // body: kind, u32 metadata length, metadata, message bytes
const DONE = 2; // body: kind, message id
/** A segment takes new messages until it is this large; it is deleted once all of them are done. */
const SEGMENT_BYTES = 16 << 20;
const SEGMENT_NAME = /^segment-(\d{12})\.log$/;

/**
 * The spool's fast path: accepted messages appended to one segment file with a group commit, so that messages
 * arriving together share one write and one fdatasync (instead of creating, fsyncing and deleting two files
 * each). `done` appends a marker, unsynced (a marker lost in a crash means one more delivery, never a loss);
 * a segment whose messages are all done, and that no longer takes new ones, is deleted. Writes to a segment
 * are strictly sequential, so a crash can only tear its tail: recovery keeps every whole record before it.
 */
export class SegmentLog {
  private active: Segment | undefined;
  private opening: Promise<Segment> | undefined;
  private nextSeq: number;
  private readonly dirSync: DirectorySync;

  private constructor(
    readonly dir: string,
    private readonly segments: Map<number, Segment>,
  ) {
    this.nextSeq = Math.max(0, ...segments.keys()) + 1;
    this.dirSync = new DirectorySync(dir);
  }

  static isSegmentName(name: string): boolean {
    return SEGMENT_NAME.test(name);
  }

  /** Opens the log in DIR and returns it with every message not yet marked done, oldest segment first. */
  static async open(dir: string): Promise<{ log: SegmentLog; messages: LoggedMessage[] }> {
    const segments = new Map<number, Segment>();
    const messages = new Map<string, LoggedMessage>();
    const names = (await readdirAsync(dir)).filter((n) => SEGMENT_NAME.test(n)).sort();
    for (const name of names) {
      const seq = Number(SEGMENT_NAME.exec(name)![1]);
      const path = join(dir, name);
      const fd = await openFd(path, 'r+');
      const segment: Segment = { seq, path, fd, size: 0, written: 0, live: new Set(), queue: [], writing: false };
      segment.size = await readRecords(fd, (kind, body, at) => {
        if (kind === PUT && body.length >= 5) {
          const metaLength = body.readUInt32LE(1);
          const meta = parseMeta(body.subarray(5, 5 + metaLength));
          if (!meta) return;
          const offset = at + HEADER + 5 + metaLength;
          messages.set(meta.id, { id: meta.id, meta: meta.value, ref: { segment, offset, length: body.length - 5 - metaLength } });
          segment.live.add(meta.id);
        } else if (kind === DONE) {
          const id = body.toString('latin1', 1);
          if (messages.get(id)?.ref.segment === segment) messages.delete(id);
          segment.live.delete(id);
        }
      });
      // A torn record at the tail was never acknowledged; cut it so that later markers follow whole records.
      await ftruncateFd(fd, segment.size);
      segment.written = segment.size;
      segments.set(seq, segment);
    }
    const log = new SegmentLog(dir, segments);
    for (const segment of segments.values()) log.retireIfDone(segment);
    return { log, messages: [...messages.values()] };
  }

  /** Appends a message; resolves once it is on disk (fdatasync, and the segment's directory entry synced). */
  async append(id: string, meta: Buffer, message: readonly Buffer[]): Promise<SegmentRef> {
    const segment = await this.writable();
    const messageLength = message.reduce((n, part) => n + part.length, 0);
    const body = Buffer.allocUnsafe(5);
    body[0] = PUT;
    body.writeUInt32LE(meta.length, 1);
    let crc = crc32(body);
    crc = crc32(meta, crc);
    for (const part of message) crc = crc32(part, crc);
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(5 + meta.length + messageLength, 0);
    header.writeUInt32LE(crc, 4);
    const length = HEADER + 5 + meta.length + messageLength;
    const ref = { segment, offset: segment.size + HEADER + 5 + meta.length, length: messageLength };
    segment.size += length;
    segment.live.add(id);
    try {
      await new Promise<void>((resolve, reject) => this.enqueue(segment, { record: [header, body, meta, ...message], length, durable: { resolve, reject } }));
    } catch (err) {
      segment.live.delete(id);
      throw err;
    }
    return ref;
  }

  /** The message bytes at REF. */
  async read(ref: SegmentRef): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(ref.length);
    let done = 0;
    while (done < ref.length) {
      const { bytesRead } = await readFd(ref.segment.fd, buffer, done, ref.length - done, ref.offset + done);
      if (bytesRead === 0) throw new Error(`${ref.segment.path}: message ends early at ${ref.offset + done}`);
      done += bytesRead;
    }
    return buffer;
  }

  /** Marks the message ID at REF as done (delivered, bounced or moved elsewhere). Not synced. */
  done(id: string, ref: SegmentRef): void {
    const segment = ref.segment;
    if (!segment.live.delete(id)) return;
    if (this.retireIfDone(segment)) return;
    const body = Buffer.from(`\u0002${id}`, 'latin1');
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(body.length, 0);
    header.writeUInt32LE(crc32(body), 4);
    segment.size += HEADER + body.length;
    this.enqueue(segment, { record: [header, body], length: HEADER + body.length });
  }

  /** The segment taking new messages, a new one when there is none yet or the current one is full. */
  private writable(): Promise<Segment> {
    const current = this.active;
    if (current && current.size < SEGMENT_BYTES) return Promise.resolve(current);
    this.opening ??= this.openSegment().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async openSegment(): Promise<Segment> {
    const previous = this.active;
    const seq = this.nextSeq++;
    const path = join(this.dir, `segment-${String(seq).padStart(12, '0')}.log`);
    const segment: Segment = { seq, path, fd: await openFd(path, 'wx+', 0o640), size: 0, written: 0, live: new Set(), queue: [], writing: false };
    // The new file's directory entry is durable before any message in it is acknowledged.
    await this.dirSync.sync();
    this.segments.set(seq, segment);
    this.active = segment;
    // The previous one keeps its messages until they are done; it is deleted after the last of them.
    if (previous) this.retireIfDone(previous);
    return segment;
  }

  private enqueue(segment: Segment, item: Segment['queue'][number]): void {
    segment.queue.push(item);
    if (!segment.writing) void this.flush(segment);
  }

  /** Group commit: everything queued goes out in one write, then one fdatasync if a PUT is waiting for it. */
  private async flush(segment: Segment): Promise<void> {
    segment.writing = true;
    // Let the other sessions of this turn of the event loop join the batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (segment.queue.length > 0) {
      const batch = segment.queue;
      segment.queue = [];
      const waiting = batch.flatMap((item) => (item.durable ? [item.durable] : []));
      const position = segment.written;
      segment.written += batch.reduce((n, item) => n + item.length, 0);
      try {
        await writeAll(segment.fd, batch.flatMap((item) => item.record), position);
        if (waiting.length > 0) await fdatasyncFd(segment.fd);
        for (const w of waiting) w.resolve();
      } catch (err) {
        // What follows a failed write could sit behind a hole: the segment takes no new messages, and the ones
        // waiting fail (their senders get a 451 and retry). Messages acknowledged before stay readable.
        for (const w of [...waiting, ...segment.queue.flatMap((item) => (item.durable ? [item.durable] : []))]) w.reject(err);
        segment.queue = [];
        if (this.active === segment) this.active = undefined;
      }
    }
    segment.writing = false;
    this.retireIfDone(segment);
  }

  /** Deletes SEGMENT when it takes no new messages and all of its messages are done. */
  private retireIfDone(segment: Segment): boolean {
    if (segment === this.active || segment.live.size > 0 || segment.writing || !this.segments.has(segment.seq)) return false;
    this.segments.delete(segment.seq);
    void unlinkAsync(segment.path)
      .catch(() => undefined)
      .finally(() => closeFd(segment.fd).catch(() => undefined));
    return true;
  }
}

async function writeAll(fd: number, buffers: Buffer[], position: number): Promise<void> {
  const total = buffers.reduce((n, b) => n + b.length, 0);
  let written = await writevFd(fd, buffers, position);
  if (written < total) {
    const all = Buffer.concat(buffers);
    while (written < total) written += await writevFd(fd, [all.subarray(written)], position + written);
  }
}

/** Calls ONRECORD for every whole record of the file; returns the offset just past the last one. */
async function readRecords(fd: number, onRecord: (kind: number, body: Buffer, at: number) => void): Promise<number> {
  const chunks: Buffer[] = [];
  for (let position = 0; ; ) {
    const chunk = Buffer.allocUnsafe(1 << 20);
    const { bytesRead } = await readFd(fd, chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    position += bytesRead;
  }
  const data = Buffer.concat(chunks);
  let at = 0;
  while (at + HEADER <= data.length) {
    const length = data.readUInt32LE(at);
    const body = data.subarray(at + HEADER, at + HEADER + length);
    if (length === 0 || body.length < length || crc32(body) !== data.readUInt32LE(at + 4)) break;
    onRecord(body[0]!, body, at);
    at += HEADER + length;
  }
  return at;
}

/** The metadata of a PUT record with its message id; undefined when it is not JSON with a valid id. */
function parseMeta(bytes: Buffer): { id: string; value: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    const id = typeof value === 'object' && value !== null && 'id' in value ? value.id : undefined;
    return typeof id === 'string' && MESSAGE_ID_PATTERN.test(id) ? { id, value } : undefined;
  } catch {
    return undefined;
  }
}
