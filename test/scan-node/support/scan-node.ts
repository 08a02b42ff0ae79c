import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_STREAM, messageEventSubject } from '@moat/bus';
import type { PolicyInput } from '@moat/policy';
import { MessageEvent } from '@moat/proto/grpc';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { Child, REPO } from '../../csm/support/processes.js';
import { freePorts } from '../../harness/free-ports.js';

const NODE_MAIN = join(REPO, 'apps/scan-node/dist/main.js');

let built: Promise<void> | undefined;

/** Builds the scan node and the libraries it imports (Nx, cached), once per test process. */
export function buildScanNode(): Promise<void> {
  built ??= Promise.resolve().then(() => {
    execFileSync(join(REPO, 'node_modules/.bin/nx'), ['run', '@moat/scan-node:build', '--outputStyle=static'], {
      cwd: REPO,
      stdio: 'pipe',
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' },
    });
  });
  return built;
}

/** A real nats-server with JetStream that can be stopped and started again on the same port and store. */
export class Nats {
  private child: Child | undefined;

  private constructor(
    readonly port: number,
    private readonly storeDir: string,
  ) {}

  static async start(): Promise<Nats> {
    const [port] = await freePorts(1);
    const nats = new Nats(port!, await mkdtemp(join(tmpdir(), 'moat-node-nats-')));
    await nats.resume();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    this.child = new Child(spawn('nats-server', ['-js', '-sd', this.storeDir, '-a', '127.0.0.1', '-p', String(this.port)], { stdio: ['ignore', 'pipe', 'pipe'] }));
    await this.child.waitForLine(/Server is ready/, 20_000);
  }

  async pause(): Promise<void> {
    await this.child?.stop();
    this.child = undefined;
  }

  async stop(): Promise<void> {
    await this.pause();
    await rm(this.storeDir, { recursive: true, force: true });
  }

  async client(): Promise<NatsConnection> {
    return connect({ servers: this.url });
  }

  /** Every MessageEvent in MOAT_EVENTS published by NODEID, in stream order. */
  async messageEvents(nodeId: string): Promise<MessageEvent[]> {
    const nc = await this.client();
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info(EVENTS_STREAM);
      const events: MessageEvent[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const msg = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => null);
        if (msg && msg.subject === messageEventSubject(nodeId)) events.push(MessageEvent.decode(msg.data));
      }
      return events;
    } finally {
      await nc.close();
    }
  }
}

export interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
  /** The message's bytes as received (raw decodes them as UTF-8). */
  bytes: Buffer;
  tls: boolean;
}

/** The mail server behind the node: a real smtp-server that keeps what it receives and can refuse with CODE. */
export class Downstream {
  readonly messages: Received[] = [];
  /** When set, every RCPT is refused with this code. */
  refuseWith: number | undefined;
  private server: SMTPServer | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<Downstream> {
    const [port] = await freePorts(1);
    const downstream = new Downstream(port!);
    await downstream.resume();
    return downstream;
  }

  async resume(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH'],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        if (this.refuseWith) callback(Object.assign(new Error(`${this.refuseWith === 550 ? '5.1.1 no such user' : '4.2.0 try later'}`), { responseCode: this.refuseWith }));
        else callback();
      },
      onData: (stream, session: SMTPServerSession, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const bytes = Buffer.concat(chunks);
          this.messages.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: bytes.toString('utf8'),
            bytes,
            tls: session.secure,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async pause(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  withSubject(subject: string): Received[] {
    return this.messages.filter((m) => m.raw.includes(`Subject: ${subject}\r\n`));
  }
}

/** The demo tenant of the tests: example.test (accounts alice and bob) relayed to DOWNSTREAMPORT. */
export function testPolicy(downstreamPort: number, overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    domains: [{ name: 'example.test', downstream: { host: '127.0.0.1', port: downstreamPort, tls: 'opportunistic' }, accounts: ['alice', 'bob'] }],
    delivery: { retryScheduleSeconds: [1], maxAgeSeconds: 3600, concurrencyPerDestination: 4, connectTimeoutMs: 2000 },
    // These suites test the node's SMTP, spool, delivery and events without a clamd; with ClamAV on and no
    // engine to reach, every message would rightly be deferred. test/stage2 runs the node with a real clamd.
    attachments: { antivirus: { clamav: false } },
    // The classifier (on by default) would add a model-dependent BAYES_* symbol to every verdict; these suites
    // assert exact symbols and scores. test/stage3 and test/classifier run it.
    classifier: { enabled: false },
    ...overrides,
  };
}

/** A built scan node process on a free port with its own data dir, run without a CSM on a policy.json written first. */
export class ScanNode {
  child: Child | undefined;
  smtpPort = 0;

  private constructor(
    readonly name: string,
    readonly dataDir: string,
    private readonly natsUrl: string,
  ) {}

  static async create(name: string, natsUrl: string, policy: PolicyInput, version = 1): Promise<ScanNode> {
    await buildScanNode();
    const dataDir = await mkdtemp(join(tmpdir(), `moat-${name}-`));
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'policy.json'), JSON.stringify({ version, policy }));
    const node = new ScanNode(name, dataDir, natsUrl);
    node.smtpPort = (await freePorts(1))[0]!;
    return node;
  }

  /** ENV: more node settings (for example MOAT_PROXY_PROTOCOL). */
  async start(env: Record<string, string> = {}): Promise<void> {
    const [csmPort] = await freePorts(1);
    this.child = new Child(
      spawn(process.execPath, [NODE_MAIN], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          MOAT_NODE_NAME: this.name,
          MOAT_DATA_DIR: this.dataDir,
          MOAT_SMTP_HOST: '127.0.0.1',
          MOAT_SMTP_PORT: String(this.smtpPort),
          MOAT_METRICS_PORT: '0',
          MOAT_NATS_URL: this.natsUrl,
          // Nothing listens there: the node must run on its persisted policy alone.
          MOAT_CSM_GRPC: `127.0.0.1:${csmPort}`,
          MOAT_ENROL_TOKEN: 'no-csm-in-this-test',
          ...env,
        },
      }),
    );
    await this.child.waitForLine(/node ready name=\S+ smtp=\S+/, 60_000);
  }

  /** Stops the process (SIGTERM: clean shutdown; SIGKILL: crash) and returns its exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    this.child = undefined;
    return (await child?.stop(signal)) ?? null;
  }

  get output(): string {
    return this.child?.output ?? '';
  }

  async remove(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** A built node with a nats-server and a downstream of its own: the set-up the node suites share. */
export interface NodeRig {
  nats: Nats;
  downstream: Downstream;
  node: ScanNode;
}

/** Starts nats-server, the downstream, then the node on the policy made for that downstream's port. */
export async function startNodeRig(name: string, policyFor: (downstreamPort: number) => PolicyInput, version?: number, env: Record<string, string> = {}): Promise<NodeRig> {
  const rig: Partial<NodeRig> = {};
  try {
    rig.nats = await Nats.start();
    rig.downstream = await Downstream.start();
    rig.node = await ScanNode.create(name, rig.nats.url, policyFor(rig.downstream.port), version);
    await rig.node.start(env);
    return rig as NodeRig;
  } catch (err) {
    await stopNodeRig(rig);
    throw err;
  }
}

/** Stops what `startNodeRig` started; any part may be missing. */
export async function stopNodeRig(rig: Partial<NodeRig>): Promise<void> {
  await rig.node?.remove();
  await rig.downstream?.pause();
  await rig.nats?.stop();
}
