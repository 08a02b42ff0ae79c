import type { Finding } from '../findings.js';
import { EngineRefusedError, EngineUnavailableError, type AntivirusEngine, type EngineScanOptions } from './engine.js';

/** One input for the engines: the whole message, or a file taken out of it. */
export interface ScanTarget {
  path: string;
  sha256: string;
  content: Buffer;
}

/**
 * Runs every engine on every target (identical content once per engine). An engine that is unavailable
 * gives one AV_UNAVAILABLE and is not asked again for this message; the caller's policy temp-fails on it.
 */
export async function scanWithEngines(engines: readonly AntivirusEngine[], targets: readonly ScanTarget[], options: EngineScanOptions = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  const unique = [...new Map(targets.map((t) => [t.sha256, t])).values()];
  await Promise.all(
    engines.map(async (engine) => {
      for (const target of unique) {
        try {
          const verdict = await engine.scan(target.content, options);
          if (verdict.infected) findings.push({ symbol: engine.kind === 'hash' ? 'AV_HASH' : 'AV_VIRUS', detail: `${engine.name}: ${verdict.signature}`, path: target.path });
        } catch (err) {
          if (err instanceof EngineRefusedError) {
            findings.push({ symbol: 'AV_UNSCANNABLE', detail: err.message, path: target.path });
            continue;
          }
          const reason = err instanceof EngineUnavailableError ? err.message : `${engine.name} failed: ${err instanceof Error ? err.message : String(err)}`;
          findings.push({ symbol: 'AV_UNAVAILABLE', detail: reason, path: target.path });
          return;
        }
      }
    }),
  );
  return findings;
}
