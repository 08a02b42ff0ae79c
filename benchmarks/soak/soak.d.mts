// Types of soak.mjs for its TypeScript caller (test/soak/soak.test.ts).
export interface SoakOptions {
  minutes: number;
  clients?: number;
  /** Sessions per second in all. */
  rate?: number;
  seed?: number;
  /** Kinds of session to mix (traffic.mjs KINDS); all by default. */
  kinds?: string[];
  sampleEveryMs?: number;
  log?: (line: string) => void;
}

export interface NodeRss {
  node: string;
  startMb: number;
  peakMb: number;
  endMb: number;
  lastHalfMinMb: number;
  lastHalfMaxMb: number;
  /** (max - min) / mean of the last half's samples, in percent. */
  lastHalfSampleSpreadPercent: number;
  /** The median of each window of the last half. */
  lastHalfWindowMediansMb: number[];
  /** (max - min) / mean of those medians, in percent. */
  flatnessPercent: number;
  /** flatnessPercent <= FLAT_TARGET_PERCENT. */
  flat: boolean;
}

export interface SoakResult {
  minutes: number;
  clients: number;
  rate: number;
  seed: number;
  kinds: string[];
  trafficMs: number;
  sessions: Record<string, number>;
  sessionsTotal: number;
  messages: number;
  accepted: number;
  outcomes: Record<string, number>;
  refusals: Record<string, number>;
  errors: Record<string, number>;
  errorsTotal: number;
  delivery: { delivered: number; mailboxFiles: number; quarantined: number; duplicates: string[]; unexpected: string[]; lost: string[]; exactlyOnce: boolean };
  crashes: string[];
  /** Per node: 'jemalloc' (preloaded) or 'glibc malloc'. */
  allocators: string[];
  rss: NodeRss[];
  rssSamples: { atMs: number; rss: (number | undefined)[] }[];
}

export function runSoak(options: SoakOptions): Promise<SoakResult>;
export function rssFigures(samples: SoakResult['rssSamples'], names: string[], trafficMs: number): NodeRss[];
export const FLAT_WINDOWS: number;
export const FLAT_TARGET_PERCENT: number;
