import { open, stat } from 'node:fs/promises';

/** Reads the lines appended to a file since a given offset; used to spot a process's ready line in its log. */
export class LogTail {
  private partial = '';

  private constructor(
    private readonly path: string,
    private offset: number,
  ) {}

  /** Starts at the current end of the file, so that only lines written from now on are seen. */
  static async fromEnd(path: string): Promise<LogTail> {
    const size = await stat(path).then((s) => s.size, () => 0);
    return new LogTail(path, size);
  }

  /** The complete lines written since the last call. */
  async readLines(): Promise<string[]> {
    const handle = await open(this.path, 'r').catch(() => undefined);
    if (!handle) return [];
    try {
      const { size } = await handle.stat();
      if (size <= this.offset) return [];
      const buffer = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset += bytesRead;
      const lines = (this.partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      return lines;
    } finally {
      await handle.close();
    }
  }
}

/** The last lines of a log file, for error messages that point at the cause. */
export async function lastLines(path: string, count: number): Promise<string[]> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-count);
  } finally {
    await handle.close();
  }
}
