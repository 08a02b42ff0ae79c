import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@moat/cli/cluster';

export interface MoatResult {
  code: number;
  stdout: string;
  stderr: string;
}

const MOAT_BIN = join(REPO_ROOT, 'apps/cli/bin/moat.js');

/** Runs the built `moat` command as a user would (bin/moat.js, a separate process) and collects its output; INPUT is its standard input. */
export function runMoat(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, input?: string): Promise<MoatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MOAT_BIN, ...args], { env, cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
