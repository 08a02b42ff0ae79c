import { createResolver, type DnsResolver } from '@moat/auth';
import { startBlackhole, startKnot, type ZoneRecord } from './knot.js';

export interface SuiteDns {
  /** knotd's address as a policy names a DNS server ("127.0.0.1:port") */
  server: string;
  /** A resolver of our own kind on this DNS, fresh (empty cache) each call */
  resolver(): DnsResolver;
  stop(): Promise<void>;
}

export interface SuiteZones {
  records: ZoneRecord[];
  /** Names whose servers never answer: routed to a listener that drops every query */
  timeouts?: string[];
  /** Names knotd answers SERVFAIL for */
  servfail?: string[];
}

/**
 * A real knotd with the suite's records, and for the names that must time out a UDP listener that drops
 * queries. knotd cannot leave one name unanswered by itself without blocking a worker (mod-dnsproxy waits
 * synchronously), so those names get their own servers through the resolver's per-domain routes, the way
 * a zone delegated to dead name servers behaves. Names below a timed-out name that have records of their
 * own are routed back to knotd.
 */
export async function startSuiteDns(zones: SuiteZones): Promise<SuiteDns> {
  const knot = await startKnot({ records: zones.records, servfail: zones.servfail });
  const hole = await startBlackhole();
  const routes: Record<string, string[]> = {};
  for (const name of zones.timeouts ?? []) routes[name] = [hole.server];
  for (const record of zones.records) {
    if ((zones.timeouts ?? []).some((name) => record.name.toLowerCase().endsWith(`.${name.toLowerCase()}`))) routes[record.name] = [knot.server];
  }
  return {
    server: knot.server,
    resolver: () => createResolver({ servers: [knot.server], routes, timeoutMs: 500, tries: 1 }),
    stop: async () => {
      await Promise.all([knot.stop(), hole.stop()]);
    },
  };
}

/** One line per suite for the test output: suite, cases, library alone, Moat. */
export function countLine(suite: string, cases: number, library: number, moat: number): string {
  return `[conformance] ${suite}: ${cases} cases, library alone ${library}/${cases}, Moat ${moat}/${cases}`;
}
