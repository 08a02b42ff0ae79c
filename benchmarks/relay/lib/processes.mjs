// Starting, watching and measuring the servers under test. Everything listens on 127.0.0.1 on free ports.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

export const clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Spawns a long-running server; keeps its last output for error messages and kills it (and its group) on stop. */
export function startProcess(name, command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
  let tail = '';
  const listeners = new Set();
  const onOutput = (chunk) => {
    tail = (tail + chunk).slice(-8000);
    for (const listener of listeners) listener(tail);
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  return {
    name,
    pid: child.pid,
    child,
    output: () => tail,
    /** Resolves when the output matches `pattern`; rejects if the process exits first or after `timeoutMs`. */
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => fail(new Error(`${name}: no ${pattern} within ${timeoutMs} ms\n${tail}`)), timeoutMs);
        const check = (text) => pattern.test(text) && done();
        const exited = (code) => fail(new Error(`${name} exited (${code}) before ${pattern}\n${tail}`));
        const done = () => {
          cleanup();
          resolve();
        };
        const fail = (error) => {
          cleanup();
          reject(error);
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', exited);
        };
        listeners.add(check);
        child.on('exit', exited);
        check(tail);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits for `ready`; a process that never gets ready is stopped, not left behind. */
export async function whenReady(proc, ready) {
  try {
    await ready;
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return proc;
}

/** Resolves once a server on `port` sends its SMTP greeting. */
export async function waitForSmtp(port, process, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.child.exitCode !== null) throw new Error(`${process.name} exited (${process.child.exitCode})\n${process.output()}`);
    const greeted = await new Promise((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.setTimeout(2000, () => socket.destroy());
      socket.once('data', (data) => {
        socket.end('QUIT\r\n');
        resolve(data.toString().startsWith('220'));
      });
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
    });
    if (greeted) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${process.name}: no SMTP greeting on port ${port}\n${process.output()}`);
}

/** CPU time (user and system, in clock ticks) of a process and all its descendants, threads included. */
export function cpuTicks(rootPid) {
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state(3) ppid(4) ... utime(14) stime(15).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), user: Number(fields[11]), system: Number(fields[12]) });
    } catch {
      // The process ended while we were listing.
    }
  }
  const tree = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, { ppid }] of stats) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  const ticks = { user: 0, system: 0 };
  for (const pid of tree) {
    ticks.user += stats.get(pid)?.user ?? 0;
    ticks.system += stats.get(pid)?.system ?? 0;
  }
  return ticks;
}
