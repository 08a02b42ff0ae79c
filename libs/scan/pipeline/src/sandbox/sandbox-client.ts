import type { SandboxLevel, SandboxServer } from '@moat/policy';

/** One sample handed to the analysis server (docs/sandbox-interface.md, `POST /v1/submissions`). */
export interface SandboxSample {
  messageId: string;
  direction: 'inbound' | 'outbound';
  fileName: string;
  /** The content's true type (MIME type), `message/rfc822` for a whole message. */
  fileType: string;
  sha256: string;
  content: Buffer;
}

/** How to reach the servers for one sample: the policy's list (primary first), polling interval and deadline. */
export interface SandboxCall {
  servers: readonly SandboxServer[];
  pollIntervalMs: number;
  /** Absolute time (ms since the epoch) after which the analysis is given up. */
  deadlineMs: number;
}

/** What became of one sample. `failedOver` lists the servers given up before the one named in `server`. */
export type SandboxAnswer =
  | { outcome: 'verdict'; level: SandboxLevel; detail: string; server: string; latencyMs: number; failedOver: string[]; cached: boolean }
  | { outcome: 'timeout'; server: string; latencyMs: number; failedOver: string[] }
  | { outcome: 'unavailable'; detail: string; failedOver: string[] };

/** The analysis servers, as the node reaches them over HTTP (ScanOptions.sandbox). Never throws. */
export interface SandboxClient {
  analyse(sample: SandboxSample, call: SandboxCall): Promise<SandboxAnswer>;
}
