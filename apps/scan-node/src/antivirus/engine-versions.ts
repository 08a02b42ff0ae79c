import type { AntivirusEngine } from '@moat/content';
import { errorText, type Logger } from '../log.js';

const REFRESH_MS = 30_000;

/**
 * Engine and signature database versions for the heartbeat (`engine_versions`), e.g.
 * `{ clamav: "ClamAV 1.4.3/27500/...", hashdb: "hashdb 42 (1200 hashes)" }`. Asked in the background every
 * 30 s, so a heartbeat never waits on clamd and a signature or policy update shows within half a minute.
 */
export class EngineVersions {
  private versions: Record<string, string> = {};
  private timer: NodeJS.Timeout | undefined;
  private failing = new Set<string>();

  constructor(
    private readonly engines: () => readonly AntivirusEngine[],
    private readonly log: Logger,
  ) {}

  current(): Record<string, string> {
    return this.versions;
  }

  /** Per engine: true when its last version query answered. */
  up(): Record<string, boolean> {
    return Object.fromEntries(Object.keys(this.versions).map((name) => [name, !this.failing.has(name)]));
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const next: Record<string, string> = {};
    await Promise.all(
      this.engines().map(async (engine) => {
        try {
          next[engine.name] = await engine.version();
          if (this.failing.delete(engine.name)) this.log.info(`${engine.name} answers again: ${next[engine.name]}`);
        } catch (err) {
          next[engine.name] = `unavailable: ${errorText(err)}`;
          if (!this.failing.has(engine.name)) this.log.warn(`${engine.name} version unavailable: ${errorText(err)}`);
          this.failing.add(engine.name);
        }
      }),
    );
    this.versions = next;
  }
}
