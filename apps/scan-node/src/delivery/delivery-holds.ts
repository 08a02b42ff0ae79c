import { readFile } from 'node:fs/promises';
import { activeHold, type HoldSpan } from '@moat/policy';
import type { HeldDomain } from '@moat/proto/grpc';
import { errorText, type Logger } from '../log.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { SpoolEntry } from '../spool/spool.js';
import { writeFileAtomically } from '../storage/durable-fs.js';
import type { Clock } from './clock.js';

/** `<data>/holds.json`: the start of the window an administrator released, by domain (it stays open until it ends). */
type ReleasedWindows = Record<string, number>;
/** A released window started longer ago than the longest window (31 days) has ended: its record can go. */
const FORGET_RELEASED_MS = 32 * 24 * 3600_000;

export interface DeliveryHoldsDeps {
  policies: PolicyStore;
  clock: Clock;
  /** Where released windows are kept across a restart. */
  file: string;
  log: Logger;
}

/**
 * Which domains are held now (F9) and the spooled messages parked for each, oldest first. A domain is held while
 * one of its policy's hold windows is open (by CLOCK) and was not released, and while its held mail is being
 * delivered (so mail that arrives meanwhile queues behind it). Parked messages stay in the spool; after a
 * restart they are parked again from the spool's recovery.
 */
export class DeliveryHolds {
  private released: ReleasedWindows = {};
  private readonly parked = new Map<string, SpoolEntry[]>();
  private readonly draining = new Set<string>();

  private constructor(private readonly deps: DeliveryHoldsDeps) {}

  static async open(deps: DeliveryHoldsDeps): Promise<DeliveryHolds> {
    const holds = new DeliveryHolds(deps);
    try {
      const parsed: unknown = JSON.parse(await readFile(deps.file, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null) {
        for (const [domain, start] of Object.entries(parsed)) if (typeof start === 'number') holds.released[domain] = start;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') deps.log.warn(`${deps.file} not read (released hold windows are forgotten): ${errorText(err)}`);
    }
    return holds;
  }

  /** DOMAIN's open, unreleased hold window now, if any. */
  window(domain: string): HoldSpan | undefined {
    const holds = this.deps.policies.domain(domain)?.holds;
    if (!holds || holds.length === 0) return undefined;
    const span = activeHold(holds, this.deps.clock.now());
    return span && this.released[domain] !== span.startMs ? span : undefined;
  }

  isHeld(domain: string): boolean {
    return this.draining.has(domain) || this.window(domain) !== undefined;
  }

  /** Keeps ENTRY for DOMAIN until it is released, in order of receipt. */
  park(domain: string, entry: SpoolEntry): void {
    const queue = this.parked.get(domain) ?? [];
    queue.splice(queue.findLastIndex((e) => order(e, entry) <= 0) + 1, 0, entry);
    this.parked.set(domain, queue);
  }

  /** Domains with parked mail whose window closed (or was released), not being delivered already. */
  due(): string[] {
    return [...this.parked.keys()].filter((d) => !this.draining.has(d) && this.window(d) === undefined);
  }

  /** Ends DOMAIN's open window (remembered across a restart) so that its held mail can go now. */
  async release(domain: string): Promise<HoldSpan | undefined> {
    const span = this.window(domain);
    if (!span) return undefined;
    const now = this.deps.clock.now();
    const kept: ReleasedWindows = { [domain]: span.startMs };
    for (const [d, start] of Object.entries(this.released)) if (d !== domain && start > now - FORGET_RELEASED_MS) kept[d] = start;
    this.released = kept;
    await writeFileAtomically(this.deps.file, JSON.stringify(kept));
    return span;
  }

  /** Marks DOMAIN as being delivered; returns false if it already is. */
  startDraining(domain: string): boolean {
    if (this.draining.has(domain)) return false;
    this.draining.add(domain);
    return true;
  }

  /** The oldest parked message of DOMAIN, taken off its queue; undefined (and draining ends) when none is left. */
  next(domain: string): SpoolEntry | undefined {
    const queue = this.parked.get(domain);
    const entry = queue?.shift();
    if (queue && queue.length === 0) this.parked.delete(domain);
    if (!entry) this.draining.delete(domain);
    return entry;
  }

  /** Each domain with held mail or an open window: its queue (count, bytes, oldest) and when the window ends. */
  report(): HeldDomain[] {
    const domains = new Set(this.parked.keys());
    for (const [name, domain] of this.deps.policies.allDomains()) if (domain.holds.length > 0 && this.window(name)) domains.add(name);
    return [...domains].sort().map((domain) => {
      const queue = this.parked.get(domain) ?? [];
      return {
        domain,
        messages: queue.length,
        bytes: queue.reduce((n, e) => n + e.sizeBytes, 0),
        oldestReceivedAtMs: queue[0]?.meta.receivedAtMs ?? 0,
        releaseAtMs: this.window(domain)?.endMs ?? 0,
      };
    });
  }
}

function order(a: SpoolEntry, b: SpoolEntry): number {
  return a.meta.receivedAtMs - b.meta.receivedAtMs || (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0);
}
