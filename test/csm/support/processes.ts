import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../../harness/free-ports.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CSM_DIR = join(REPO, 'apps/csm');
const CSM_MAIN = join(CSM_DIR, 'dist/main.js');

/** A child process whose output is kept, so a failing test can show it. */
export class Child {
  output = '';
  private readonly exited: Promise<number | null>;

  constructor(readonly process: ChildProcess) {
    process.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    process.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
  }

  /** Resolves with the first output line matching PATTERN; rejects if the process exits or TIMEOUTMS pass. */
  async waitForLine(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.process.exitCode !== null) throw new Error(`process exited (${this.process.exitCode}) before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill(signal);
    return this.exited;
  }
}

export interface NatsServer {
  url: string;
  port: number;
  child: Child;
  stop(): Promise<void>;
}

/** A real nats-server with JetStream on a free loopback port (or PORT), storing under a fresh temporary dir. */
export async function startNats(port?: number): Promise<NatsServer> {
  const chosen = port ?? (await freePorts(1))[0]!;
  const dir = await mkdtemp(join(tmpdir(), 'moat-csm-nats-'));
  const child = new Child(spawn('nats-server', ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(chosen)], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await child.waitForLine(/Server is ready/, 20_000);
  return {
    url: `nats://127.0.0.1:${chosen}`,
    port: chosen,
    child,
    stop: async () => {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Csm {
  baseUrl: string;
  /** The certificate the CSM serves HTTPS with (PEM); undefined with MOAT_HTTP_TLS=off. */
  ca: string | undefined;
  /** The node port: client certificates from the CSM's node CA required (TLS). */
  grpcAddress: string;
  /** The enrolment port: Enrol without a client certificate. */
  enrolAddress: string;
  dataDir: string;
  child: Child;
  stop(): Promise<number | null>;
}

/** Builds the CSM when its sources are newer than dist/main.js (tests run the built process, as `moat up` does). */
export function buildCsm(): void {
  const built = safeMtime(CSM_MAIN);
  if (built > 0 && newestSource(join(CSM_DIR, 'src')) < built) return;
  execFileSync(join(REPO, 'node_modules/.bin/tsc'), ['-p', join(CSM_DIR, 'tsconfig.app.json')], { stdio: 'inherit' });
}

/** Starts the built CSM on free ports (HTTPS with its own certificate unless MOAT_HTTP_TLS=off) and waits for its `csm ready` line. */
export async function startCsm(env: { natsUrl: string; dataDir: string } & Record<string, string>): Promise<Csm> {
  const { natsUrl, dataDir, ...extra } = env;
  const child = new Child(
    spawn(process.execPath, [CSM_MAIN], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        MOAT_NATS_URL: natsUrl,
        MOAT_DATA_DIR: dataDir,
        MOAT_HTTP_PORT: '0',
        MOAT_GRPC_PORT: '0',
        MOAT_ENROL_PORT: '0',
        MOAT_CONSOLE_DIR: join(dataDir, 'no-console'),
        ...extra,
      },
    }),
  );
  const [, http, grpc, enrol, certFile] = await child.waitForLine(/csm ready (https?:\/\/\S+) grpc (\S+) enrol (\S+) data \S+(?: cert (\S+))?\n/);
  const ca = certFile ? await readFile(certFile, 'utf8') : undefined;
  return { baseUrl: http!, ca, grpcAddress: grpc!, enrolAddress: enrol!, dataDir, child, stop: () => child.stop() };
}

const tempDirs: string[] = [];

/** A fresh temporary directory, removed by removeTempDirs(). */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

function safeMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}
