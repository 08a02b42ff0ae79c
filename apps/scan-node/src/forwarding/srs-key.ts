import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { writeFileAtomically } from '../storage/durable-fs.js';

/**
 * The cluster's SRS key, sent by the CSM on the signing-keys stream and kept in `<data>/srs.key` (0600), so a
 * node restarting without the CSM still forwards and still takes bounces to the addresses it made. Never logged.
 */
export class SrsKey {
  private current: Buffer | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  /** Undefined until the CSM sent one (or one was kept from an earlier run). */
  get key(): Buffer | undefined {
    return this.current;
  }

  private get file(): string {
    return join(this.dataDir, 'srs.key');
  }

  async load(): Promise<void> {
    try {
      const kept = await readFile(this.file);
      if (kept.length >= 32) this.current = kept;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`SRS key in ${this.file} not read: ${String(err)}`);
    }
  }

  /** Takes KEY from the CSM (an empty key, from a CSM without one, changes nothing). */
  async replace(key: Uint8Array): Promise<void> {
    if (key.length < 32 || (this.current && this.current.equals(key))) return;
    this.current = Buffer.from(key);
    await writeFileAtomically(this.file, this.current, 0o600);
    this.log.info('SRS key received');
  }
}
