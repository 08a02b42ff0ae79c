import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClamdEngine } from '@moat/content';
import { freePorts } from '../../harness/free-ports.js';

const root = resolve(import.meta.dirname, '../../..');

/** A real clamd on a free port of 127.0.0.1, loading the offline signature set from var/clamav-db. */
export interface RunningClamd {
  port: number;
  engine: ClamdEngine;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startClamd(): Promise<RunningClamd> {
  execFileSync(process.execPath, [join(root, 'scripts/clamav-db.mjs')], { stdio: 'ignore' });
  const [port] = await freePorts(1);
  const work = mkdtempSync(join(tmpdir(), 'moat-content-clamd-'));
  const config = join(work, 'clamd.conf');
  writeFileSync(
    config,
    [`TCPSocket ${port}`, 'TCPAddr 127.0.0.1', 'Foreground yes', `DatabaseDirectory ${join(root, 'var/clamav-db')}`, `TemporaryDirectory ${work}`, 'StreamMaxLength 100M', ''].join('\n'),
  );
  const child = spawn('clamd', ['-c', config], { stdio: 'ignore' });
  const engine = new ClamdEngine({ host: '127.0.0.1', port: port! }, { timeoutMs: 30_000 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`clamd exited with ${child.exitCode}`);
    if (await engine.ping().catch(() => false)) break;
    if (Date.now() > deadline) throw new Error(`clamd did not answer PING on port ${port}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port: port!,
    engine,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}
