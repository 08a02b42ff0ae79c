import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { defined } from './defined.js';
import { freePorts } from './free-ports.js';
import { waitFor } from './wait.js';

/** One server of the cluster: its client URL and whether it runs. */
export interface NatsServer {
  url: string;
  process: ChildProcess | undefined;
}

/**
 * A real JetStream cluster of SIZE nats-servers on loopback (Debian's nats-server), each with its own store, the
 * routes between them, and the client URLs of all in `urls` (comma-separated, as MOAT_NATS_URL takes them).
 */
export class NatsCluster {
  private constructor(
    readonly servers: NatsServer[],
    private readonly dir: string,
    private readonly args: string[][],
  ) {}

  get urls(): string {
    return this.servers.map((s) => s.url).join(',');
  }

  static async start(size = 3): Promise<NatsCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'moat-nats-cluster-'));
    const ports = await freePorts(size * 2);
    const clients = ports.slice(0, size);
    const routes = ports.slice(size).map((port) => `nats://127.0.0.1:${port}`);
    const args = clients.map((port, i) => ['-js', '-sd', join(dir, `s${i}`), '-a', '127.0.0.1', '-p', String(port), '-n', `nats-${i + 1}`, '--cluster_name', 'moat', '--cluster', defined(routes[i], 'route'), '--routes', routes.join(',')]);
    const cluster = new NatsCluster(
      clients.map((port) => ({ url: `nats://127.0.0.1:${port}`, process: undefined })),
      dir,
      args,
    );
    for (let i = 0; i < size; i++) cluster.startServer(i);
    await cluster.waitForJetStream();
    return cluster;
  }

  /** Starts server I (again) with its store: it rejoins the cluster and catches up. */
  startServer(i: number): void {
    const server = defined(this.servers[i], `server ${i}`);
    server.process = spawn('nats-server', defined(this.args[i], 'args'), { stdio: 'ignore' });
  }

  /** Kills server I at once (SIGKILL: no lame-duck hand-over), as a machine failure would. */
  async kill(i: number): Promise<void> {
    const child = defined(this.servers[i], `server ${i}`).process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
  }

  /** Until JetStream answers through the cluster (a meta leader is elected). */
  async waitForJetStream(): Promise<void> {
    await waitFor('the JetStream cluster to elect a leader', async () => {
      const nc = await connect({ servers: this.servers.filter((s) => s.process?.exitCode === null).map((s) => s.url), timeout: 1000 });
      try {
        await (await jetstreamManager(nc, { timeout: 1000 })).getAccountInfo();
        return true;
      } finally {
        await nc.close();
      }
    }, { timeoutMs: 60_000, intervalMs: 500 });
  }

  async stop(): Promise<void> {
    for (let i = 0; i < this.servers.length; i++) await this.kill(i);
    await rm(this.dir, { recursive: true, force: true });
  }
}
