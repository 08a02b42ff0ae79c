import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { mailSearchSchema, statsSchema, statusSchema, type MailRow, type Stats, type Status } from '@moat/cli/api';
import { demoPolicy, LocalCluster, signalGroup, type ClusterPorts, type ManagedProcess } from '@moat/cli/cluster';
import type { PolicyInput } from '@moat/policy';
import { defined } from './defined.js';
import { freeClusterPorts } from './free-ports.js';
import { runMoat, type MoatResult } from './moat-cli.js';
import { readMailbox, type StoredMessage } from './mailbox.js';
import { sendMail, type OutgoingMail, type SendResult } from './smtp-client.js';
import { waitFor } from './wait.js';

export interface StartClusterOptions {
  nodes?: number;
  /** The CSM's first policy, made from the demo tenant's (example.test, alice@ and bob@, the demo mailbox). */
  policy?: (demo: PolicyInput) => PolicyInput;
  /** Extra environment of the cluster's processes (e.g. MOAT_CSM_DNS). */
  env?: NodeJS.ProcessEnv;
  /** A NATS the cluster uses instead of starting its own (nats-cluster.ts: a three-server JetStream cluster). */
  natsUrl?: string;
}

/**
 * A real Moat cluster for one test suite: nats-server, clamd, the built CSM and scan nodes, and the demo mailbox,
 * on free ports in a temporary var dir. Crashed processes stay down, so tests decide what runs.
 */
export class TestCluster {
  readonly adminPassword: string;
  private csmAgent: Agent | undefined;

  private constructor(
    readonly cluster: LocalCluster,
    readonly varDir: string,
  ) {
    this.adminPassword = cluster.adminPassword ?? '';
  }

  static async start(options: StartClusterOptions = {}): Promise<TestCluster> {
    const nodes = options.nodes ?? 2;
    const ports = await freeClusterPorts(nodes);
    const varDir = await mkdtemp(join(tmpdir(), 'moat-e2e-'));
    const cluster = new LocalCluster({
      varDir,
      nodes,
      ports,
      restartOnCrash: false,
      adminPassword: `e2e-${Math.random().toString(36).slice(2)}`,
      // The classifier (on by default) adds a model-dependent BAYES_* score to every verdict; the suites assert
      // actions of short test mail, so they start with it off, and those about it (test/stage3) turn it on.
      policy: (options.policy ?? ((p) => p))({ ...demoPolicy(ports.downstream, ports.internet), classifier: { enabled: false } }),
      ...(options.env ? { env: options.env } : {}),
      ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
    });
    killOnExit(cluster);
    try {
      await cluster.start();
    } catch (err) {
      throw new Error(`${(err as Error).message}\n(logs kept in ${cluster.paths.logs})`, { cause: err });
    }
    return new TestCluster(cluster, varDir);
  }

  get csmUrl(): string {
    return this.cluster.csmUrl;
  }

  get ports(): ClusterPorts {
    return this.cluster.ports;
  }

  get mailboxDir(): string {
    return this.cluster.paths.mailbox;
  }

  /** The CSM's local admin token; it changes each time the CSM starts. */
  async token(): Promise<string> {
    return (await readFile(this.cluster.paths.cliToken, 'utf8')).trim();
  }

  /** A request to the CSM (REST API, /metrics) trusting only the CSM's own certificate; no credentials added. */
  async csmFetch(path: string, init: RequestInit = {}): Promise<Response> {
    const certFile = this.cluster.csmCertFile;
    this.csmAgent ??= new Agent(certFile ? { connect: { ca: await readFile(certFile, 'utf8') } } : {});
    return fetch(`${this.csmUrl}${path}`, { ...init, dispatcher: this.csmAgent } as RequestInit);
  }

  /** GET on the CSM's REST API with the local admin token; throws unless 200. */
  async csmGet(path: string): Promise<unknown> {
    const response = await this.csmFetch(path, { headers: { authorization: `Bearer ${await this.token()}`, accept: 'application/json' } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return response.json();
  }

  /** Runs the built `moat` CLI against this cluster; INPUT is its standard input. */
  moat(args: string[], timeoutMs = 60_000, input?: string): Promise<MoatResult> {
    const env: NodeJS.ProcessEnv = { ...process.env, MOAT_VAR: this.varDir, MOAT_CSM_URL: this.csmUrl };
    delete env['MOAT_TOKEN'];
    return runMoat(args, env, timeoutMs, input);
  }

  /** Runs `moat ... --json`, fails on a non-zero exit, returns the parsed output. */
  async moatJson(args: string[]): Promise<unknown> {
    const result = await this.moat([...args, '--json']);
    if (result.code !== 0) throw new Error(`moat ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  }

  /** `moat status --json`, checked against the CLI's contract. */
  async status(): Promise<Status> {
    return statusSchema.parse(await this.moatJson(['status']));
  }

  /** `moat stats --json` over everything (from the epoch). */
  async stats(): Promise<Stats> {
    return statsSchema.parse(await this.moatJson(['stats', '--from', '0']));
  }

  /** `moat mail search --json` with the given filters, up to 10000 rows. */
  async searchMail(filters: string[] = []): Promise<MailRow[]> {
    return mailSearchSchema.parse(await this.moatJson(['mail', 'search', '--limit', '10000', ...filters])).messages;
  }

  sendMail(nodeIndex: number, mail: OutgoingMail): Promise<SendResult> {
    const port = this.ports.smtp[nodeIndex];
    if (port === undefined) throw new Error(`no node ${nodeIndex}`);
    return sendMail(port, mail);
  }

  mailbox(): Promise<StoredMessage[]> {
    return readMailbox(this.mailboxDir);
  }

  /** Waits until the mailbox holds at least `count` messages matching `filter`, and returns them. */
  waitForMailbox(count: number, filter: (m: StoredMessage) => boolean = () => true, timeoutMs = 60_000): Promise<StoredMessage[]> {
    return waitFor(
      `${count} messages in the demo mailbox`,
      async () => {
        const found = (await this.mailbox()).filter(filter);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs },
    );
  }

  node(index: number): ManagedProcess {
    const node = this.cluster.nodes[index];
    if (!node) throw new Error(`no node ${index}`);
    return node;
  }

  stopNode = (index: number) => this.node(index).stop();
  killNode = (index: number) => this.node(index).kill();
  startNode = (index: number) => this.node(index).start();
  stopCsm = () => this.cluster.csm.stop();
  startCsm = () => this.cluster.csm.start();
  stopNats = () => defined(this.cluster.nats, "the cluster's own NATS").stop();
  startNats = () => defined(this.cluster.nats, "the cluster's own NATS").start();
  stopDownstream = () => this.cluster.mailbox.stop();
  /** clamd: SIGKILL (a crash mid-scan), then start again; the node's MOAT_CLAMD keeps pointing at it. */
  killClamd = () => this.cluster.clamd.kill();
  startClamd = () => this.cluster.clamd.start();
  startDownstream = () => this.cluster.mailbox.start();

  /** Stops every process and removes the var dir (kept when MOAT_KEEP_VAR is set, for post-mortems). */
  async stop(): Promise<void> {
    await this.cluster.stop();
    if (!process.env['MOAT_KEEP_VAR']) await rm(this.varDir, { recursive: true, force: true });
  }
}

export type { MoatResult };

export const startCluster = (options?: StartClusterOptions) => TestCluster.start(options);

/** If the test process exits without stop() (a crash, a timeout), its children must not keep ports and CPU. */
function killOnExit(cluster: LocalCluster): void {
  process.once('exit', () => {
    for (const p of cluster.processes()) if (p.pid !== undefined) signalGroup(p.pid, 'SIGKILL');
  });
}
