/** One antivirus engine as a node reports it in its heartbeat, split for display. */
export interface EngineVersion {
  /** The engine's name in the heartbeat (`clamav`, `hashdb`, ...). */
  engine: string;
  /** Engine software, e.g. "ClamAV 1.4.6", or the hash list's own version. */
  version: string;
  /** Signature database version and date, when the engine reports one (ClamAV's "27500 · Thu Nov 27 ..."). */
  signatures?: string;
  /** The node could not ask the engine (clamd down): the text says why. */
  unavailable: boolean;
}

const UNAVAILABLE = 'unavailable: ';

/**
 * A node's `engineVersions` (`{ clamav: "ClamAV 1.4.6/27500/Thu Nov 27 09:33:02 2026", hashdb: "hashdb policy 7
 * (0 hashes)" }`) as rows, sorted by engine. clamd's VERSION reply is "engine/signature version/signature date".
 */
export function engineVersions(reported: Readonly<Record<string, string>>): EngineVersion[] {
  return Object.entries(reported)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([engine, text]) => {
      if (text.startsWith(UNAVAILABLE)) return { engine, version: text.slice(UNAVAILABLE.length), unavailable: true };
      const [version = text, ...signatures] = text.split('/');
      return signatures.length > 0 ? { engine, version, signatures: signatures.join(' · '), unavailable: false } : { engine, version: text, unavailable: false };
    });
}

/**
 * When an engine's signatures were published, from the date clamd reports last ("27500 · Thu Nov 27 09:33:02
 * 2026", read in the browser's time zone as clamd writes its local time); null when there is none.
 */
export function signatureDateMs(engine: EngineVersion): number | null {
  const date = engine.signatures?.split(' · ').at(-1);
  const ms = date && /[A-Za-z]{3} [A-Za-z]{3} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} \d{4}/.test(date) ? Date.parse(date) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
}
