/** Per-call settings of a scan. */
export interface EngineScanOptions {
  /** Longest this one scan may take (the policy's per-file timeout); the engine's own default otherwise. */
  timeoutMs?: number;
}

/** What one engine says about one input. */
export type EngineVerdict = { infected: false } | { infected: true; signature: string };

/**
 * An antivirus engine. `signature` engines (ClamAV) report AV_VIRUS, `hash` engines (the SHA-256
 * database) AV_HASH. A second engine is one more implementation of this interface.
 */
export interface AntivirusEngine {
  readonly name: string;
  readonly kind: 'signature' | 'hash';
  /** Engine and signature database version, reported by the node (e.g. `ClamAV 1.4.3/27500/...`). */
  version(): Promise<string>;
  scan(data: Buffer, options?: EngineScanOptions): Promise<EngineVerdict>;
}

/** The engine could not be reached or did not answer in time: the policy temp-fails (never a silent pass). */
export class EngineUnavailableError extends Error {
  constructor(engine: string, reason: string) {
    super(`${engine} unavailable: ${reason}`);
    this.name = 'EngineUnavailableError';
  }
}

/** The engine answered but would not scan this input (size limit, internal error). */
export class EngineRefusedError extends Error {
  constructor(engine: string, reason: string) {
    super(`${engine} refused the input: ${reason}`);
    this.name = 'EngineRefusedError';
  }
}
