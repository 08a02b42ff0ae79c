import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessSpec } from './managed-process.js';
import { REPO_ROOT, varPaths } from './paths.js';
import { clamdAnswers, tcpAccepts } from './probes.js';

/** Everything the specs need to know about the cluster being started. */
export interface SpecContext {
  varDir: string;
  ports: ClusterPorts;
  enrolToken: string;
  env: NodeJS.ProcessEnv;
  /** NATS the cluster does not run itself (e.g. a three-server cluster, comma-separated URLs); unset: its own on ports.nats. */
  natsUrl?: string;
}

export interface ClusterPorts {
  http: number;
  grpc: number;
  /** The CSM's enrolment port (Enrol only, no client certificate asked). */
  enrol: number;
  nats: number;
  clamd: number;
  downstream: number;
  /** One SMTP port per scan node, node-1 first. */
  smtp: number[];
  /** One Prometheus metrics port per scan node, node-1 first. */
  metrics: number[];
  /** Per scan node: submission with STARTTLS (587's role) and with implicit TLS (465's role). */
  submission: number[];
  submissions: number[];
  /** The demo "internet" mail server, the demo tenant's outbound smarthost. */
  internet: number;
}

export const CSM_ENTRY = join(REPO_ROOT, 'apps/csm/dist/main.js');
export const NODE_ENTRY = join(REPO_ROOT, 'apps/scan-node/dist/main.js');
export const CONSOLE_DIR = join(REPO_ROOT, 'apps/console/dist/browser');

/** The certificate the CSM serves HTTPS and gRPC with (its own self-signed one unless MOAT_TLS_CERT names another); undefined with MOAT_HTTP_TLS=off. */
export function csmCertFile(ctx: SpecContext): string | undefined {
  if (ctx.env['MOAT_HTTP_TLS'] === 'off') return undefined;
  return ctx.env['MOAT_TLS_CERT'] || varPaths(ctx.varDir).csmCert;
}

export const natsUrl = (ctx: SpecContext) => ctx.natsUrl ?? `nats://127.0.0.1:${ctx.ports.nats}`;

export function natsSpec(ctx: SpecContext, natsServer: string): ProcessSpec {
  const paths = varPaths(ctx.varDir);
  return {
    name: 'nats',
    command: natsServer,
    args: ['-js', '-sd', paths.nats, '-a', '127.0.0.1', '-p', String(ctx.ports.nats), '-n', 'moat-local'],
    env: ctx.env,
    cwd: ctx.varDir,
    logFile: join(paths.logs, 'nats.log'),
    ready: { probe: () => tcpAccepts(ctx.ports.nats) },
    readyTimeoutMs: 30_000,
  };
}

/** clamd.conf for a foreground clamd on TCP only: no local socket, no freshclam, signatures from `database`. */
export function clamdConfig(ctx: SpecContext, database: string): string {
  const paths = varPaths(ctx.varDir);
  return [
    'Foreground yes',
    `TCPSocket ${ctx.ports.clamd}`,
    'TCPAddr 127.0.0.1',
    `DatabaseDirectory ${database}`,
    `TemporaryDirectory ${join(paths.clamd, 'tmp')}`,
    'LogTime yes',
    // Mail can be large; the node sends whole messages and attachments.
    'StreamMaxLength 100M',
    '',
  ].join('\n');
}

export function clamdSpec(ctx: SpecContext, clamd: string): ProcessSpec {
  const paths = varPaths(ctx.varDir);
  return {
    name: 'clamd',
    command: clamd,
    args: ['-c', join(paths.clamd, 'clamd.conf')],
    env: ctx.env,
    cwd: ctx.varDir,
    logFile: join(paths.logs, 'clamd.log'),
    ready: { probe: () => clamdAnswers(ctx.ports.clamd) },
    readyTimeoutMs: 180_000,
  };
}

export function csmSpec(ctx: SpecContext, extraEnv: NodeJS.ProcessEnv): ProcessSpec {
  const paths = varPaths(ctx.varDir);
  return {
    name: 'csm',
    command: process.execPath,
    args: [CSM_ENTRY],
    env: {
      ...ctx.env,
      MOAT_DATA_DIR: paths.csm,
      MOAT_NATS_URL: natsUrl(ctx),
      MOAT_ENROL_TOKEN: ctx.enrolToken,
      MOAT_HTTP_PORT: String(ctx.ports.http),
      MOAT_GRPC_PORT: String(ctx.ports.grpc),
      MOAT_ENROL_PORT: String(ctx.ports.enrol),
      MOAT_CONSOLE_DIR: CONSOLE_DIR,
      MOAT_BOOTSTRAP_POLICY: paths.bootstrapPolicy,
      ...extraEnv,
    },
    cwd: REPO_ROOT,
    logFile: join(paths.logs, 'csm.log'),
    ready: { line: /csm ready/ },
    readyTimeoutMs: 180_000,
  };
}

/**
 * glibc malloc settings a scan node runs with unless the environment sets its own: two arenas instead of eight
 * per core (each inspection worker thread would otherwise keep an arena of its own, which outlives the worker),
 * and a fixed threshold above which a block is mapped on its own and given back when freed (glibc otherwise
 * raises that threshold to 32 MiB after the first large free, so a message's buffers stay in the arenas).
 * docs/architecture.md, "Memory".
 */
export const NODE_MALLOC_ENV: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: String(128 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(128 * 1024),
});

/** Where Debian's libjemalloc2 puts the library (scripts/setup.sh installs it). */
export const JEMALLOC_PATH = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';

/**
 * jemalloc in place of glibc's malloc when the library is installed: freed pages go back to the system after a
 * second (a background thread purges them, so an idle node shrinks too) instead of staying in an arena until its
 * top is freed. The glibc variables above still apply when it is not installed. docs/architecture.md, "Memory".
 */
export function jemallocEnv(libraryExists: (path: string) => boolean = existsSync): Record<string, string> {
  if (!libraryExists(JEMALLOC_PATH)) return {};
  return { LD_PRELOAD: JEMALLOC_PATH, MALLOC_CONF: 'background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0' };
}

export function nodeSpec(ctx: SpecContext, index: number): ProcessSpec {
  const paths = varPaths(ctx.varDir);
  const name = nodeName(index);
  return {
    name,
    command: process.execPath,
    args: [NODE_ENTRY],
    env: {
      ...NODE_MALLOC_ENV,
      ...jemallocEnv(),
      ...ctx.env,
      MOAT_DATA_DIR: paths.node(name),
      MOAT_NATS_URL: natsUrl(ctx),
      MOAT_ENROL_TOKEN: ctx.enrolToken,
      MOAT_NODE_NAME: name,
      MOAT_SMTP_HOST: '127.0.0.1',
      MOAT_SMTP_PORT: String(ctx.ports.smtp[index]),
      MOAT_SUBMISSION_PORT: String(ctx.ports.submission[index]),
      MOAT_SUBMISSIONS_PORT: String(ctx.ports.submissions[index]),
      MOAT_METRICS_HOST: '127.0.0.1',
      MOAT_METRICS_PORT: String(ctx.ports.metrics[index]),
      MOAT_CSM_GRPC: `127.0.0.1:${ctx.ports.grpc}`,
      MOAT_CSM_ENROL: `127.0.0.1:${ctx.ports.enrol}`,
      // gRPC over TLS, trusting exactly the CSM's certificate (plaintext only when the CSM serves none).
      ...(csmCertFile(ctx) ? { MOAT_CSM_CA: csmCertFile(ctx) } : { MOAT_CSM_TLS: 'off' }),
      MOAT_CLAMD: `127.0.0.1:${ctx.ports.clamd}`,
    },
    cwd: REPO_ROOT,
    logFile: join(paths.logs, `${name}.log`),
    ready: { line: /node ready/ },
    readyTimeoutMs: 120_000,
  };
}

/** node-1, node-2, ... for index 0, 1, ... */
export const nodeName = (index: number) => `node-${index + 1}`;
