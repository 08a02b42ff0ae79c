import { describe, expect, it } from 'vitest';
import { rssFigures, runSoak } from '../../benchmarks/soak/soak.mjs';
import { buildScanNode } from '../scan-node/support/scan-node.js';

// Issue 15: the soak's short form (benchmarks/soak/run.mjs is the long one, with the figures in
// benchmarks/soak/RESULTS.md): a minute of every kind of traffic over two real nodes, then every message answered
// 250 delivered exactly once and nothing else, no node crashed, RSS within a sanity bound.
const MINUTES = 1;
const RSS_BOUND_MB = 1024;

describe('soak (short form)', () => {
  it('measures flatness on the window medians of the last half of the traffic', () => {
    const MB = 1024 * 1024;
    // Every seventh sample a message in flight adds 80 MB; the samples after the traffic (settling) do not count.
    const sawtooth = Array.from({ length: 120 }, (_, i) => ({ atMs: i * 5000, rss: [(300 + (i % 7 === 0 ? 80 : 0)) * MB, (300 + i) * MB] }));
    const [flat, growing] = rssFigures(sawtooth, ['flat', 'growing'], 100 * 5000);
    expect(flat).toMatchObject({ lastHalfMinMb: 300, lastHalfMaxMb: 380, flatnessPercent: 0, flat: true });
    expect(flat?.lastHalfSampleSpreadPercent).toBeGreaterThan(20);
    expect(growing?.lastHalfWindowMediansMb).toHaveLength(6);
    expect(growing?.flatnessPercent).toBeGreaterThan(10);
    expect(growing?.flat).toBe(false);
  });

  it('delivers every accepted message exactly once under mixed hostile traffic', { timeout: 600_000 }, async () => {
    await buildScanNode();
    const result = await runSoak({ minutes: MINUTES, log: (line: string) => console.log(`[soak] ${line}`) });
    console.log(`[soak] ${JSON.stringify({ ...result, rssSamples: result.rssSamples.length })}`);
    expect(result.crashes).toEqual([]);
    expect(result.delivery.duplicates).toEqual([]);
    expect(result.delivery.lost).toEqual([]);
    expect(result.delivery.unexpected).toEqual([]);
    expect(result.delivery.exactlyOnce).toBe(true);
    expect(result.accepted).toBeGreaterThan(50);
    // Every kind ran, and the hostile ones were refused rather than breaking a session.
    expect(Object.keys(result.sessions).length).toBeGreaterThanOrEqual(8);
    expect(result.errorsTotal, JSON.stringify(result.errors)).toBe(0);
    for (const node of result.rss) expect(node.peakMb, node.node).toBeLessThan(RSS_BOUND_MB);
  });
});
