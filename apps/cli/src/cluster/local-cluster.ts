import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PolicyInput } from '@moat/policy';
import { dkimDomainSchema, dkimListSchema, statusSchema } from '../csm/api.js';
import { CsmClient } from '../csm/client.js';
import type { ClusterFile } from './cluster-file.js';
import { DemoMailbox } from './demo-mailbox.js';
import { DEMO_DOMAIN, demoPolicy } from './demo-policy.js';
import { findExecutable } from './executables.js';
import { ManagedProcess } from './managed-process.js';
import { REPO_ROOT, varPaths } from './paths.js';
import { tcpAccepts } from './probes.js';
import { clamdConfig, clamdSpec, CSM_ENTRY, csmCertFile, csmSpec, natsSpec, NODE_ENTRY, nodeName, nodeSpec, type ClusterPorts, type SpecContext } from './process-specs.js';

export interface ClusterOptions {
  varDir: string;
  nodes: number;
  ports: ClusterPorts;
  /** ClamAV signature directory: default MOAT_CLAMAV_DB, else var/clamav-db at the repository root. */
  clamavDb?: string;
  /** `moat up` restarts a process that crashes; tests leave crashed processes down. */
  restartOnCrash?: boolean;
  /**
   * Passed to the CSM as MOAT_ADMIN_PASSWORD on its first start in this run (firstAdminPassword makes one for a
   * new var dir), so the CSM never prints a generated password into its log.
   */
  adminPassword?: string;
  /** The CSM's first policy; default: the demo tenant. */
  policy?: PolicyInput;
  env?: NodeJS.ProcessEnv;
  /** Use this NATS (comma-separated URLs of a cluster's servers) instead of starting one on ports.nats. */
  natsUrl?: string;
  /** Progress lines for a human ("nats ready", "node-1 crashed, restarting"). */
  progress?: (line: string) => void;
}

/**
 * A password for the bootstrap admin when the CSM of VARDIR has none yet (no admin cache in its data dir) and
 * the environment sets none: `moat up` shows it once on the terminal and hands it to the CSM, so the CSM never
 * generates one and prints it into var/logs.
 */
export function firstAdminPassword(varDir: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env['MOAT_ADMIN_PASSWORD'] || existsSync(join(varPaths(varDir).csm, 'admins.json'))) return undefined;
  return randomBytes(12).toString('base64url');
}

type PortOverrides = Partial<Omit<ClusterPorts, 'smtp' | 'metrics' | 'submission' | 'submissions'>> & { smtpBase?: number; metricsBase?: number; submissionBase?: number; submissionsBase?: number };

export function defaultPorts(nodes: number, overrides: PortOverrides = {}): ClusterPorts {
  const smtpBase = overrides.smtpBase ?? 2525;
  const metricsBase = overrides.metricsBase ?? 9464;
  const submissionBase = overrides.submissionBase ?? 2587;
  const submissionsBase = overrides.submissionsBase ?? 2465;
  return {
    http: overrides.http ?? 8080,
    grpc: overrides.grpc ?? 50051,
    enrol: overrides.enrol ?? 50052,
    nats: overrides.nats ?? 4222,
    clamd: overrides.clamd ?? 3310,
    downstream: overrides.downstream ?? 2600,
    smtp: Array.from({ length: nodes }, (_, i) => smtpBase + i),
    metrics: Array.from({ length: nodes }, (_, i) => metricsBase + i),
    submission: Array.from({ length: nodes }, (_, i) => submissionBase + i),
    submissions: Array.from({ length: nodes }, (_, i) => submissionsBase + i),
    internet: overrides.internet ?? 2601,
  };
}

const FLEET_READY_TIMEOUT_MS = 60_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * A whole Moat cluster on this machine: NATS, clamd, the CSM, N scan nodes and the demo mailbox. Each process
 * is a ManagedProcess that tests can stop, kill and start on its own.
 */
export class LocalCluster {
  readonly nats: ManagedProcess | undefined;
  readonly clamd: ManagedProcess;
  readonly csm: ManagedProcess;
  readonly nodes: ManagedProcess[];
  readonly mailbox: DemoMailbox;
  /** The demo "internet": the demo tenant's outbound smarthost, storing what it receives under <var>/demo-internet/. */
  readonly internet: DemoMailbox;
  readonly paths: ReturnType<typeof varPaths>;
  adminPassword: string | undefined;
  private readonly ctx: SpecContext;
  private startedAtMs = 0;
  private stopping = false;

  constructor(private readonly options: ClusterOptions) {
    if (options.ports.smtp.length !== options.nodes) throw new Error(`need ${options.nodes} SMTP ports, got ${options.ports.smtp.length}`);
    for (const kind of ['metrics', 'submission', 'submissions'] as const) {
      if (options.ports[kind].length !== options.nodes) throw new Error(`need ${options.nodes} ${kind} ports, got ${options.ports[kind].length}`);
    }
    this.paths = varPaths(options.varDir);
    this.adminPassword = options.adminPassword;
    const env = { ...process.env, ...options.env };
    // The CSM runs in the repository root: certificate paths given relative to here must still name the same files.
    for (const name of ['MOAT_TLS_CERT', 'MOAT_TLS_KEY']) if (env[name]) env[name] = resolve(env[name]);
    this.ctx = { varDir: options.varDir, ports: options.ports, enrolToken: readOrCreateSecret(this.paths.enrolToken), env, ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}) };
    this.nats = options.natsUrl ? undefined : new ManagedProcess(natsSpec(this.ctx, findExecutable('nats-server', env) ?? 'nats-server'));
    this.clamd = new ManagedProcess(clamdSpec(this.ctx, findExecutable('clamd', env) ?? 'clamd'));
    this.csm = new ManagedProcess(csmSpec(this.ctx, options.adminPassword ? { MOAT_ADMIN_PASSWORD: options.adminPassword } : {}));
    this.nodes = Array.from({ length: options.nodes }, (_, i) => new ManagedProcess(nodeSpec(this.ctx, i)));
    this.mailbox = new DemoMailbox(this.paths.mailbox, options.ports.downstream, join(this.paths.logs, 'demo-mailbox.log'));
    this.internet = new DemoMailbox(this.paths.internet, options.ports.internet, join(this.paths.logs, 'demo-internet.log'), 'demo-internet.moat.test');
    for (const p of this.processes()) p.on('crash', (info) => void this.onCrash(p, info.code, info.signal));
  }

  get csmUrl(): string {
    return `${this.csmCertFile ? 'https' : 'http'}://127.0.0.1:${this.options.ports.http}`;
  }

  /** The certificate the CSM serves (its own self-signed one unless MOAT_TLS_CERT names another); undefined with MOAT_HTTP_TLS=off. */
  get csmCertFile(): string | undefined {
    return csmCertFile(this.ctx);
  }

  get ports(): ClusterPorts {
    return this.options.ports;
  }

  get clamavDb(): string {
    return this.options.clamavDb ?? this.ctx.env['MOAT_CLAMAV_DB'] ?? join(REPO_ROOT, 'var/clamav-db');
  }

  processes(): ManagedProcess[] {
    return [...(this.nats ? [this.nats] : []), this.clamd, this.csm, ...this.nodes];
  }

  process(name: string): ManagedProcess {
    const found = this.processes().find((p) => p.name === name);
    if (!found) throw new Error(`no process ${name}; have ${this.processes().map((p) => p.name).join(', ')}`);
    return found;
  }

  /** Starts everything in dependency order; on any failure stops what was started and throws. */
  async start(): Promise<void> {
    await this.preflight();
    await this.prepareVarDir();
    this.startedAtMs = Date.now();
    this.stopping = false;
    try {
      await Promise.all([...(this.nats ? [this.startStep(this.nats)] : []), this.startStep(this.clamd), this.mailbox.start(), this.internet.start()]);
      await this.startStep(this.csm);
      // The account exists now: a CSM restarted after a crash must not set the password again.
      if (this.options.adminPassword) delete this.csm.spec.env['MOAT_ADMIN_PASSWORD'];
      await Promise.all(this.nodes.map((n) => this.startStep(n)));
      await this.waitForFleetOnPolicy();
      if (!this.options.policy) await this.ensureDemoDkimKey();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops nodes first (they finish their SMTP sessions), then the CSM, then NATS and clamd. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.nodes.map((n) => n.stop()));
    await this.csm.stop();
    await Promise.all([this.nats?.stop(), this.clamd.stop(), this.mailbox.stop(), this.internet.stop()]);
  }

  /** What `<var>/cluster.json` records about this cluster. */
  describe(supervisorPid: number): ClusterFile {
    return {
      supervisorPid,
      startedAtMs: this.startedAtMs,
      varDir: this.options.varDir,
      csmUrl: this.csmUrl,
      consoleUrl: `${this.csmUrl}/`,
      csmDataDir: this.paths.csm,
      ...(this.csmCertFile ? { csmCertFile: this.csmCertFile } : {}),
      ports: this.options.ports,
      processes: this.processes().map((p) => ({ name: p.name, pid: p.pid ?? null })),
      mailboxDir: this.paths.mailbox,
    };
  }

  private async startStep(p: ManagedProcess): Promise<void> {
    await p.start();
    this.options.progress?.(`${p.name} ready (pid ${p.pid}, log ${p.spec.logFile})`);
  }

  /**
   * A node is listening before its first policy arrives from the CSM, and until then it serves no domain.
   * The cluster is ready when every node reports the current policy version (heartbeats come every 5 s).
   */
  private async waitForFleetOnPolicy(): Promise<void> {
    if (this.nodes.length === 0) return;
    const csm = await this.csmClient();
    const names = new Set(this.nodes.map((n) => n.name));
    const deadline = Date.now() + FLEET_READY_TIMEOUT_MS;
    let last = 'no answer from the CSM';
    for (;;) {
      try {
        const { data } = await csm.get('/api/status', statusSchema);
        const current = data.nodes.filter((n) => names.has(n.name) && n.up && n.policyVersion === data.policyVersion);
        if (new Set(current.map((n) => n.name)).size === names.size) break;
        last = `policy version ${data.policyVersion}; nodes: ${data.nodes.map((n) => `${n.name} ${n.up ? 'up' : 'down'} v${n.policyVersion}`).join(', ') || 'none'}`;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`the nodes did not report the current policy within ${FLEET_READY_TIMEOUT_MS / 1000}s (${last}); see ${this.paths.logs}`);
      await sleep(250);
    }
    this.options.progress?.(`nodes on the current policy: ${[...names].join(', ')}`);
  }

  /** The demo policy signs example.test: with a key generated at the first start (kept in the CSM's KV after). */
  private async ensureDemoDkimKey(): Promise<void> {
    const csm = await this.csmClient();
    const { data } = await csm.get('/api/dkim', dkimListSchema);
    if (data.some((d) => d.domain === DEMO_DOMAIN)) return;
    const { data: made } = await csm.post(`/api/dkim/${DEMO_DOMAIN}/keys`, dkimDomainSchema, { algorithm: 'rsa' });
    this.options.progress?.(`DKIM key for ${DEMO_DOMAIN}: ${made.keys.map((k) => k.dnsName).join(' ')} (moat dkim show ${DEMO_DOMAIN})`);
  }

  private async csmClient(): Promise<CsmClient> {
    const token = (await readFile(this.paths.cliToken, 'utf8')).trim();
    const ca = this.csmCertFile ? await readFile(this.csmCertFile, 'utf8') : undefined;
    return new CsmClient({ url: this.csmUrl, token, tokenSource: this.paths.cliToken, ...(ca === undefined ? {} : { ca }) });
  }

  /** Everything that would make a start fail half-way, reported at once and with what to do about it. */
  private async preflight(): Promise<void> {
    const problems: string[] = [];
    if (this.nats && !existsSync(this.nats.spec.command)) problems.push('nats-server is not installed (Debian package nats-server; npm start installs it)');
    if (!existsSync(this.clamd.spec.command)) problems.push('clamd is not installed (Debian package clamav-daemon; npm start installs it)');
    if (!existsSync(CSM_ENTRY)) problems.push(`${CSM_ENTRY} is missing: build with npm run build`);
    if (this.nodes.length > 0 && !existsSync(NODE_ENTRY)) problems.push(`${NODE_ENTRY} is missing: build with npm run build`);
    const db = this.clamavDb;
    if (!existsSync(db) || readdirSync(db).length === 0) problems.push(`no ClamAV signatures in ${db}: run node scripts/clamav-db.mjs (or set MOAT_CLAMAV_DB)`);
    const { smtp, metrics, submission, submissions, ...named } = this.options.ports;
    const ports: [string, number][] = [
      ...Object.entries(named),
      ...Object.entries({ smtp, metrics, submission, submissions }).flatMap(([kind, list]) => list.map((p, i): [string, number] => [`${kind} ${nodeName(i)}`, p])),
    ];
    const busy = await Promise.all(ports.map(async ([what, port]) => ((await tcpAccepts(port)) ? `${what} port ${port}` : undefined)));
    for (const b of busy) if (b) problems.push(`${b} is in use (a cluster already running? try moat down, or choose other ports)`);
    if (problems.length) throw new Error(`cannot start the cluster:\n  ${problems.join('\n  ')}`);
  }

  private async prepareVarDir(): Promise<void> {
    const p = this.paths;
    await Promise.all([p.logs, p.nats, join(p.clamd, 'tmp'), p.csm, p.mailbox, p.internet, ...this.nodes.map((n) => p.node(n.name))].map((d) => mkdir(d, { recursive: true })));
    await writeFile(p.bootstrapPolicy, `${JSON.stringify(this.options.policy ?? demoPolicy(this.options.ports.downstream, this.options.ports.internet), null, 2)}\n`);
    await writeFile(join(p.clamd, 'clamd.conf'), clamdConfig(this.ctx, this.clamavDb));
  }

  /** Restarts a crashed process with a growing delay, so a process that cannot start does not spin. */
  private async onCrash(p: ManagedProcess, code: number | null, signal: string | null): Promise<void> {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (!this.options.restartOnCrash || this.stopping) {
      this.options.progress?.(`${p.name} exited (${how}); see ${p.spec.logFile}`);
      return;
    }
    for (let delay = 1000; !this.stopping && p.state === 'stopped'; delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS)) {
      this.options.progress?.(`${p.name} exited (${how}); restarting in ${delay / 1000}s (log ${p.spec.logFile})`);
      await sleep(delay);
      if (this.stopping || p.state !== 'stopped') return;
      try {
        await this.startStep(p);
      } catch (err) {
        this.options.progress?.((err as Error).message);
      }
    }
  }
}

/** A random token kept in a 0600 file, so nodes enrolled once keep working across `moat up` runs. */
function readOrCreateSecret(path: string): string {
  const existing = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
  if (existing) return existing;
  mkdirSync(dirname(path), { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return token;
}
