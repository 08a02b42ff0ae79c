import { parsePolicy } from '@moat/policy';
import { compilePolicy, type ContentCheckJob } from '@moat/pipeline';
import type { Logger } from '../log.js';
import { afterEach, describe, expect, it } from 'vitest';
import { InspectionPool } from './inspection-pool.js';

// Stand-in workers speaking the pool's protocol (the real worker runs readMessage in test/stage2): the
// message text says what the worker does with it.
const FAKE_WORKER = `
import { parentPort } from 'node:worker_threads';
const hold = [];
let count = 0;
const retainedBytes = () => process.memoryUsage().heapUsed + process.memoryUsage().external;
parentPort.on('message', ({ id, raw, checks }) => {
  const text = Buffer.from(raw).toString();
  count++;
  if (checks) {
    // Content checks: each reports whether this request carried the policy in full; "stall" loops in the second.
    parentPort.postMessage({ id, reading: { message: { subject: text }, report: { findings: [], files: [], complete: true, parts: 1 } }, retainedBytes: retainedBytes() });
    checks.names.forEach((check, i) => {
      if (text === 'stall' && i === 1) for (;;);
      parentPort.postMessage({ id, check: { check, symbols: [{ name: 'SENT_POLICY', score: 0, detail: String(checks.policy.policy !== undefined) }] }, retainedBytes: retainedBytes() });
    });
    return;
  }
  if (text.startsWith('echo')) {
    const report = { findings: [], files: [{ path: '1', name: 'a.txt', declaredType: 'text/plain', type: { mime: 'text/plain', ext: 'txt', kind: 'text' }, size: raw.length, sha256: '', depth: 0, content: raw }], complete: true, parts: 1 };
    setTimeout(() => parentPort.postMessage({ id, reading: { report }, retainedBytes: retainedBytes() }), Number(text.split(' ')[1] ?? 0));
  } else if (text.startsWith('hold') || text === 'count') {
    // hold N: keeps N MiB of buffers, as a worker does after an archive bomb; count: parts = messages this worker read.
    if (text.startsWith('hold')) hold.push(Buffer.alloc(Number(text.split(' ')[1]) * 1024 * 1024, 1));
    parentPort.postMessage({ id, reading: { report: { findings: [], files: [], complete: true, parts: count } }, retainedBytes: retainedBytes() });
  } else if (text === 'reject') parentPort.postMessage({ id, error: 'bad input', retainedBytes: retainedBytes() });
  else if (text === 'crash') throw new Error('boom');
  else if (text === 'grow') for (;;) hold.push(new Array(100000).fill(hold.length));
});
`;
const script = new URL(`data:text/javascript,${encodeURIComponent(FAKE_WORKER)}`);
const warnings: string[] = [];
const log: Logger = { info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };
const pools: InspectionPool[] = [];

function pool(size: number, heapMb = 64, recycle: { recycleAboveMb?: number; recycleAfterMessages?: number } = {}): InspectionPool {
  const made = new InspectionPool({ size, heapMb, log, script, recycleAboveMb: 1024, recycleAfterMessages: 1000, ...recycle });
  pools.push(made);
  return made;
}

const inspect = async (p: InspectionPool, text: string, timeoutMs = 5_000) => (await p.read(Buffer.from(text), {}, timeoutMs)).report;

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  warnings.length = 0;
});

describe('InspectionPool', () => {
  it("returns the worker's report with file contents as Buffers", async () => {
    const report = await inspect(pool(1), 'echo');
    expect(report).toMatchObject({ complete: true, parts: 1, files: [{ name: 'a.txt' }] });
    expect(Buffer.isBuffer(report.files[0]?.content)).toBe(true);
    expect(report.files[0]?.content.toString()).toBe('echo');
  });

  it('sends only the bytes of a message that is a view into a larger buffer', async () => {
    const big = Buffer.from(`${'x'.repeat(100_000)}echo`);
    const { report } = await pool(1).read(big.subarray(100_000), {}, 5_000);
    expect(report.files[0]?.content.buffer.byteLength).toBe(4);
  });

  it('runs one message per worker and queues the rest', async () => {
    const p = pool(2);
    const finished = await Promise.all([0, 1, 2].map(() => inspect(p, 'echo 300').then(() => performance.now())));
    const [first = 0, second = 0, third = 0] = finished;
    // The first two side by side, the third once a worker is free again (300 ms later).
    expect(Math.abs(second - first)).toBeLessThan(250);
    expect(third - first).toBeGreaterThanOrEqual(250);
  });

  it('stops a message past its time budget as incomplete and carries on with a fresh worker', async () => {
    const p = pool(1);
    const late = await inspect(p, 'echo 5000', 200);
    expect(late).toEqual({ findings: [{ symbol: 'INSPECTION_STOPPED', detail: 'the inspection was stopped: it did not finish within 200 ms', path: '' }], files: [], complete: false, parts: 0 });
    expect(warnings).toEqual(['inspection stopped: it did not finish within 200 ms; a new worker takes its place']);
    expect((await inspect(p, 'echo')).complete).toBe(true);
  });

  it('ends a message as incomplete when the worker throws, fails or outgrows its heap', async () => {
    const p = pool(1, 16);
    expect((await inspect(p, 'reject')).findings[0]?.detail).toBe('the inspection was stopped: the inspection failed: bad input');
    expect((await inspect(p, 'crash')).findings[0]?.detail).toBe('the inspection was stopped: its worker failed: boom');
    const grown = await inspect(p, 'grow', 30_000);
    expect(grown).toMatchObject({ complete: false, findings: [{ symbol: 'INSPECTION_STOPPED', detail: expect.stringContaining('its worker failed') }] });
    expect((await inspect(p, 'echo')).complete).toBe(true);
  });

  it('replaces a worker that still holds more than recycleAboveMb after a message', async () => {
    const p = pool(1, 64, { recycleAboveMb: 48 });
    expect((await inspect(p, 'count')).parts).toBe(1);
    expect((await inspect(p, 'hold 8')).parts).toBe(2);
    expect(p.recycled).toBe(0);
    expect((await inspect(p, 'hold 64')).complete).toBe(true);
    expect(p.recycled).toBe(1);
    // A fresh worker: its count starts again, and the 72 MiB the old one held went with it.
    expect((await inspect(p, 'count')).parts).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('replaces a worker after recycleAfterMessages messages, queued messages going to the new one', async () => {
    const p = pool(1, 64, { recycleAfterMessages: 2 });
    const parts = await Promise.all([0, 1, 2, 3, 4].map(async () => (await inspect(p, 'count')).parts));
    expect(parts).toEqual([1, 2, 1, 2, 1]);
    expect(p.recycled).toBe(2);
  });

  it('runs the content checks after the walk and sends each worker the policy once', async () => {
    const p = pool(1);
    const job: ContentCheckJob = { checks: ['regex_filters', 'classifier'], policy: compilePolicy(parsePolicy({}), 1), envelope: { clientIp: '192.0.2.1', rcptTo: [] }, model: undefined, timeoutMs: 5_000 };
    const first = await p.read(Buffer.from('checks'), {}, 5_000, job);
    expect(first.checks).toEqual({ results: ['regex_filters', 'classifier'].map((check) => ({ check, symbols: [{ name: 'SENT_POLICY', score: 0, detail: 'true' }] })) });
    const second = await p.read(Buffer.from('checks'), {}, 5_000, job);
    expect(second.checks?.results.map((r) => ('symbols' in r ? r.symbols[0]?.detail : r.error))).toEqual(['false', 'false']);
  });

  it('stops a content check past its budget, keeps the reading and the earlier checks, and carries on', async () => {
    const p = pool(1);
    const job: ContentCheckJob = { checks: ['regex_filters', 'classifier', 'link_mismatch'], policy: compilePolicy(parsePolicy({}), 1), envelope: { clientIp: '192.0.2.1', rcptTo: [] }, model: undefined, timeoutMs: 200 };
    const started = performance.now();
    const stalled = await p.read(Buffer.from('stall'), {}, 5_000, job);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(stalled.message).toEqual({ subject: 'stall' });
    expect(stalled.checks).toEqual({ results: [{ check: 'regex_filters', symbols: [expect.objectContaining({ detail: 'true' })] }], stopped: { check: 'classifier', why: 'did not finish within 200 ms' } });
    expect(warnings).toEqual(['content check classifier stopped: did not finish within 200 ms; a new worker takes its place']);
    // The fresh worker holds no policy yet: it is sent again.
    const next = await p.read(Buffer.from('checks'), {}, 5_000, job);
    expect(next.checks?.results).toHaveLength(3);
    expect(next.checks?.results[0]).toMatchObject({ symbols: [{ detail: 'true' }] });
  });

  it('answers queued messages as incomplete when closed', async () => {
    const p = pool(1);
    const running = inspect(p, 'echo 200');
    const queued = inspect(p, 'echo');
    await p.close();
    expect((await queued).findings[0]?.detail).toBe('the inspection was stopped: the node is stopping');
    expect((await running).complete).toBe(true);
    expect((await inspect(p, 'echo')).complete).toBe(false);
  });
});
