import { createHash } from 'node:crypto';
import type { AntivirusEngine, EngineVerdict } from './engine.js';

/** One known-bad file: its SHA-256 (hex) and the name it is reported under. */
export interface HashEntry {
  sha256: string;
  name: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The SHA-256 database of known-bad attachments the CSM distributes with policy updates. Lookups are one
 * hash and one Map access; `version` is the database version the CSM gave it.
 */
export class HashDbEngine implements AntivirusEngine {
  readonly name = 'hashdb';
  readonly kind = 'hash';
  private readonly entries = new Map<string, string>();

  constructor(
    entries: readonly HashEntry[],
    private readonly dbVersion: string,
  ) {
    for (const entry of entries) {
      const hash = entry.sha256.toLowerCase();
      if (!SHA256_HEX.test(hash)) throw new Error(`hash database: ${JSON.stringify(entry.sha256)} is not a SHA-256 in hex`);
      this.entries.set(hash, entry.name);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  version(): Promise<string> {
    return Promise.resolve(`hashdb ${this.dbVersion} (${this.entries.size} hashes)`);
  }

  scan(data: Buffer): Promise<EngineVerdict> {
    const name = this.entries.get(createHash('sha256').update(data).digest('hex'));
    return Promise.resolve(name === undefined ? { infected: false } : { infected: true, signature: name });
  }
}
