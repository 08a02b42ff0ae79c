import { closeSync, constants, fstatSync, fsync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** One event waiting for JetStream: where it goes, its de-duplication id and its protobuf bytes. */
export interface JournalRecord {
  subject: string;
  msgId: string;
  payload: Uint8Array;
}

export interface JournalBatch {
  records: JournalRecord[];
  /** Offset just past the last record of the batch; commit it once every record is acknowledged. */
  end: number;
}

const HEADER = 8; // u32 body length, u32 crc32 of the body
const FSYNC_INTERVAL_MS = 200;
/** An acknowledged journal is cut back to empty once it is this large (not at every commit: ftruncate is not free). */
const TRUNCATE_AT_BYTES = 1 << 20;

/**
 * Append-only file of events not yet acknowledged by JetStream, plus a cursor file with the offset up to which
 * they are. Every event is appended before it is published, so events survive NATS outages and restarts; a
 * replay re-sends records after the cursor with their original Nats-Msg-Id, which JetStream de-duplicates.
 * Appends are plain writes (they survive a process crash); fsync runs in batches every 200 ms, which is enough
 * because the message the event describes is already safe in the spool. Once everything is acknowledged and
 * the file has grown past 1 MiB it is truncated.
 */
export class EventJournal {
  private cursor: number;
  private end: number;
  private pendingRecords: number;
  private dirty = false;
  private syncing = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly fd: number,
    private readonly cursorFd: number,
    state: { cursor: number; end: number; records: number },
  ) {
    this.cursor = state.cursor;
    this.end = state.end;
    this.pendingRecords = state.records;
    this.timer = setInterval(() => this.syncInBackground(), FSYNC_INTERVAL_MS);
    this.timer.unref();
  }

  /** Opens (creating) the journal in DIR; a record torn by a crash at the tail is cut off. */
  static open(dir: string): EventJournal {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, 'events.journal'), 'a+', 0o640);
    // Not O_APPEND: the cursor is rewritten in place at offset 0.
    const cursorFd = openSync(join(dir, 'events.cursor'), constants.O_RDWR | constants.O_CREAT, 0o640);
    const size = fstatSync(fd).size;
    const cursorBytes = Buffer.alloc(8);
    const stored = readSync(cursorFd, cursorBytes, 0, 8, 0) === 8 ? Number(cursorBytes.readBigUInt64LE()) : 0;
    // A cursor past the end means the journal was truncated after a full replay and the crash came before the
    // cursor was reset.
    const cursor = stored <= size ? stored : 0;
    let offset = cursor;
    let records = 0;
    for (;;) {
      const batch = readRecords(fd, offset, size, 1 << 20);
      if (batch.records.length === 0) break;
      records += batch.records.length;
      offset = batch.end;
    }
    if (offset < size) ftruncateSync(fd, offset);
    const journal = new EventJournal(fd, cursorFd, { cursor, end: offset, records });
    if (cursor !== stored) journal.writeCursor();
    return journal;
  }

  /** Records waiting for an acknowledgement. */
  get pending(): number {
    return this.pendingRecords;
  }

  get pendingBytes(): number {
    return this.end - this.cursor;
  }

  append(record: JournalRecord): void {
    const subject = Buffer.from(record.subject);
    const msgId = Buffer.from(record.msgId);
    const bodyLength = 4 + subject.length + msgId.length + record.payload.length;
    const buf = Buffer.allocUnsafe(HEADER + bodyLength);
    let at = HEADER;
    at = buf.writeUInt16LE(subject.length, at);
    at += subject.copy(buf, at);
    at = buf.writeUInt16LE(msgId.length, at);
    at += msgId.copy(buf, at);
    buf.set(record.payload, at);
    buf.writeUInt32LE(bodyLength, 0);
    buf.writeUInt32LE(crc32(buf.subarray(HEADER)), 4);
    writeSync(this.fd, buf);
    this.end += buf.length;
    this.pendingRecords++;
    this.dirty = true;
  }

  /** The oldest unacknowledged records, up to about MAXBYTES. */
  readBatch(maxBytes = 256 * 1024): JournalBatch {
    return readRecords(this.fd, this.cursor, this.end, maxBytes);
  }

  /** Marks everything before END as acknowledged (END from readBatch). */
  commit(batch: JournalBatch): void {
    this.cursor = batch.end;
    this.pendingRecords -= batch.records.length;
    if (this.cursor === this.end && this.end >= TRUNCATE_AT_BYTES) {
      ftruncateSync(this.fd, 0);
      this.cursor = 0;
      this.end = 0;
      this.pendingRecords = 0;
    }
    this.writeCursor();
  }

  /** Fsyncs pending appends (used at shutdown; otherwise a timer does it). */
  flushSync(): void {
    if (!this.dirty) return;
    this.dirty = false;
    fsyncSync(this.fd);
  }

  close(): void {
    clearInterval(this.timer);
    this.flushSync();
    closeSync(this.fd);
    closeSync(this.cursorFd);
  }

  private writeCursor(): void {
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(BigInt(this.cursor));
    writeSync(this.cursorFd, bytes, 0, 8, 0);
  }

  private syncInBackground(): void {
    if (!this.dirty || this.syncing) return;
    this.dirty = false;
    this.syncing = true;
    fsync(this.fd, () => {
      this.syncing = false;
    });
  }
}

function readRecords(fd: number, from: number, to: number, maxBytes: number): JournalBatch {
  const records: JournalRecord[] = [];
  let chunk = readAt(fd, from, Math.min(to - from, maxBytes));
  if (chunk.length >= HEADER) {
    // A first record larger than MAXBYTES is read whole on its own.
    const first = HEADER + chunk.readUInt32LE(0);
    if (first > chunk.length && from + first <= to) chunk = readAt(fd, from, first);
  }
  let at = 0;
  while (at + HEADER <= chunk.length) {
    const bodyLength = chunk.readUInt32LE(at);
    const bodyStart = at + HEADER;
    if (bodyLength < 4 || bodyStart + bodyLength > chunk.length) break;
    const body = chunk.subarray(bodyStart, bodyStart + bodyLength);
    if (crc32(body) !== chunk.readUInt32LE(at + 4)) break;
    const subjectLength = body.readUInt16LE(0);
    if (2 + subjectLength + 2 > bodyLength) break;
    const msgIdLength = body.readUInt16LE(2 + subjectLength);
    const payloadStart = 4 + subjectLength + msgIdLength;
    if (payloadStart > bodyLength) break;
    records.push({
      subject: body.toString('utf8', 2, 2 + subjectLength),
      msgId: body.toString('utf8', 4 + subjectLength, payloadStart),
      payload: body.subarray(payloadStart),
    });
    at = bodyStart + bodyLength;
  }
  return { records, end: from + at };
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}
