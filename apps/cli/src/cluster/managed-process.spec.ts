import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManagedProcess, type ProcessSpec } from './managed-process.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moat-mp-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const script = (code: string): Omit<ProcessSpec, 'name' | 'ready'> => ({
  command: process.execPath,
  args: ['-e', code],
  env: process.env,
  cwd: dir,
  logFile: join(dir, 'p.log'),
  readyTimeoutMs: 5000,
});

describe('ManagedProcess', () => {
  it('waits for the ready line, logs output to its file, and stops with SIGTERM', async () => {
    const p = new ManagedProcess({ name: 'demo', ready: { line: /demo ready/ }, ...script("console.log('hello'); console.log('demo ready'); setInterval(() => {}, 1000)") });
    await p.start();
    expect(p.state).toBe('running');
    expect(p.pid).toBeTypeOf('number');
    await p.stop();
    expect(p.state).toBe('stopped');
    expect(await readFile(join(dir, 'p.log'), 'utf8')).toMatch(/hello\ndemo ready/);
  });

  it('reports an exit before readiness with the last lines of the log', async () => {
    const p = new ManagedProcess({ name: 'broken', ready: { line: /never/ }, ...script("console.error('no config'); process.exit(3)") });
    await expect(p.start()).rejects.toThrow(/broken exited \(code 3\) before it was ready[\s\S]*no config/);
    expect(p.state).toBe('stopped');
  });

  it('gives up after the ready timeout and leaves nothing running', async () => {
    const p = new ManagedProcess({ name: 'slow', ready: { probe: async () => false }, ...script('setInterval(() => {}, 1000)'), readyTimeoutMs: 300 });
    await expect(p.start()).rejects.toThrow(/slow was not ready after 0.3s/);
    expect(p.pid).toBeUndefined();
  });

  it('emits crash when a running process dies, and starts again', async () => {
    const p = new ManagedProcess({ name: 'victim', ready: { line: /up/ }, ...script("console.log('up'); setInterval(() => {}, 1000)") });
    await p.start();
    const crashed = new Promise((resolve) => p.once('crash', resolve));
    if (p.pid === undefined) throw new Error('no pid while running');
    process.kill(p.pid, 'SIGKILL');
    expect(await crashed).toEqual({ code: null, signal: 'SIGKILL' });
    expect(p.state).toBe('stopped');
    await p.start();
    expect(p.state).toBe('running');
    await p.kill();
  });
});
