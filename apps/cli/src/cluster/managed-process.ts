import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastLines, LogTail } from './log-tail.js';
import { signalGroup } from './pids.js';
import { preparePrivateLog } from './private-log.js';

/** How to tell that a process accepts traffic: a line in its log, or a probe that succeeds. */
export type ReadyCheck = { line: RegExp } | { probe: () => Promise<boolean> };

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout and stderr both go here, appended across restarts. */
  logFile: string;
  ready: ReadyCheck;
  readyTimeoutMs: number;
}

export type ProcessState = 'stopped' | 'starting' | 'running' | 'stopping';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STOP_GRACE_MS = 15_000;
const POLL_MS = 100;

/**
 * One supervised child process. Its output goes straight to its log file (so it survives the supervisor);
 * it runs in its own process group, so Ctrl-C reaches the supervisor only, which stops children in order.
 * Emits `crash` when it exits while it was meant to be running.
 */
export class ManagedProcess extends EventEmitter<{ crash: [ExitInfo] }> {
  private child: ChildProcess | undefined;
  private exited: Promise<ExitInfo> = Promise.resolve({ code: null, signal: null });
  private exitInfo: ExitInfo | undefined;
  private current: ProcessState = 'stopped';

  constructor(readonly spec: ProcessSpec) {
    super();
  }

  get name(): string {
    return this.spec.name;
  }

  get state(): ProcessState {
    return this.current;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns the process and resolves once it is ready; rejects (and cleans up) with the log's last lines otherwise. */
  async start(): Promise<void> {
    if (this.current !== 'stopped') throw new Error(`${this.name} is ${this.current}, not stopped`);
    this.current = 'starting';
    const { spec } = this;
    preparePrivateLog(spec.logFile);
    appendFileSync(spec.logFile, `\n=== ${new Date().toISOString()} moat starts ${spec.command} ${spec.args.join(' ')}\n`);
    const tail = await LogTail.fromEnd(spec.logFile);
    const fd = openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.exitInfo = undefined;
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        appendFileSync(spec.logFile, `moat: cannot start ${spec.command}: ${err.message}\n`);
        this.onExit(child, { code: null, signal: null }, resolve);
      });
      child.once('exit', (code, signal) => this.onExit(child, { code, signal }, resolve));
    });
    try {
      await this.waitReady(tail);
      this.current = 'running';
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /** SIGTERM, then SIGKILL if the process has not exited after the grace period. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (!this.child) return;
    this.current = 'stopping';
    this.signal('SIGTERM');
    const info = await Promise.race([this.exited, sleep(graceMs, undefined, { ref: false })]);
    if (!info) {
      this.signal('SIGKILL');
      await this.exited;
    }
    this.current = 'stopped';
  }

  /** SIGKILL: the process gets no chance to clean up (what a crash or power loss looks like to its data). */
  async kill(): Promise<void> {
    if (this.child) {
      this.current = 'stopping';
      this.signal('SIGKILL');
      await this.exited;
    }
    this.current = 'stopped';
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private signal(signal: NodeJS.Signals): void {
    // The whole group: a child's own children must not outlive it.
    if (this.child?.pid !== undefined) signalGroup(this.child.pid, signal);
  }

  private onExit(child: ChildProcess, info: ExitInfo, resolve: (info: ExitInfo) => void): void {
    if (this.child !== child || this.exitInfo) return;
    this.exitInfo = info;
    this.child = undefined;
    const wasRunning = this.current === 'running';
    // While starting, start() sees the exit and cleans up itself.
    if (this.current !== 'starting') this.current = 'stopped';
    resolve(info);
    if (wasRunning) this.emit('crash', info);
  }

  private async waitReady(tail: LogTail): Promise<void> {
    const { spec } = this;
    const deadline = Date.now() + spec.readyTimeoutMs;
    for (;;) {
      const lines = await tail.readLines();
      if ('line' in spec.ready && lines.some((l) => (spec.ready as { line: RegExp }).line.test(l))) return;
      if (this.exitInfo) {
        const how = this.exitInfo.signal ? `signal ${this.exitInfo.signal}` : `code ${this.exitInfo.code}`;
        throw await this.failure(`${this.name} exited (${how}) before it was ready`);
      }
      if ('probe' in spec.ready && (await spec.ready.probe())) return;
      if (Date.now() > deadline) throw await this.failure(`${this.name} was not ready after ${spec.readyTimeoutMs / 1000}s`);
      await sleep(POLL_MS);
    }
  }

  private async failure(message: string): Promise<Error> {
    const tail = await lastLines(this.spec.logFile, 15);
    return new Error(`${message}; last lines of ${this.spec.logFile}:\n    ${tail.join('\n    ')}`);
  }
}
