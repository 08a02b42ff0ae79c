import { EXPORT_FORMATS, type ExportFormat } from '@moat/bus';
import { Resolver } from 'node:dns/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SESSION_RETENTION_MS } from './repositories/session.repository.js';
import { natsReplicas } from '@moat/bus';

/** The repository root, from this file's place in apps/csm/{src,dist}/. Defaults resolve against it; values given
 * in the environment resolve against the working directory, as paths on a command line do. */
const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** A SIEM receiving the export log as syslog (RFC 5424, octet-counted) over TCP or TLS. */
export interface SiemDestination {
  /** Names the destination's persisted position (KV export.position.<name>) and its log lines. */
  name: string;
  host: string;
  port: number;
  tls: boolean;
  /** PEM file with the CA(s) the receiver's certificate must chain to; without it, the system's CAs. */
  ca: string | undefined;
  format: ExportFormat;
  /** Events written this long before a connection failure are sent again (the duplicate window). */
  replayMs: number;
}

const DESTINATION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_REPLAY_MS = 5000;

/** Process configuration of the CSM, read once from the environment (docs/architecture.md, "Process configuration"). */
export class CsmConfig {
  readonly dataDir: string;
  readonly natsUrl: string;
  /** Copies JetStream keeps of each stream, KV bucket and object store (MOAT_NATS_REPLICAS, 1-5, default 1). */
  readonly natsReplicas: number;
  readonly enrolToken: string | undefined;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly grpcHost: string;
  readonly grpcPort: number;
  /** Port (on MOAT_GRPC_HOST) that serves only Enrol, over TLS without a client certificate: nodes get theirs there. */
  readonly enrolPort: number;
  /** `chdb:<dir>` for the embedded engine or an `http(s)://` server URL. */
  readonly clickhouse: string;
  readonly consoleDir: string;
  readonly bootstrapPolicyFile: string | undefined;
  readonly adminPassword: string | undefined;
  readonly retentionDays: number;
  /** The classifier model shipped with Moat, stored as the first model version. */
  readonly defaultModelFile: string;
  /** A session ends after this long without a call (MOAT_SESSION_IDLE_SECONDS, default 30 min). */
  readonly sessionIdleMs: number;
  /** A session ends this long after login whatever its use (MOAT_SESSION_MAX_SECONDS, default 12 h, at most 24 h). */
  readonly sessionMaxMs: number;
  /** HTTPS for console and API unless MOAT_HTTP_TLS=off; the certificate files, and whether to generate them when missing. */
  readonly httpTls: { certFile: string; keyFile: string; generate: boolean } | undefined;
  /** Bearer token Prometheus sends to /metrics; when unset, one is kept in <data>/metrics-token. */
  readonly metricsToken: string | undefined;
  readonly siemDestinations: SiemDestination[];
  /** Key-encryption key for secrets at rest (DKIM and TLS certificate private keys): 32 bytes base64; unset: `<data>/secret.key`. */
  readonly secretKey: string | undefined;
  /** DNS servers (`host` or `host:port`, comma-separated) the DKIM/SPF/DMARC check asks; unset: the system's. */
  readonly dnsServers: string[];

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.dataDir = pathSetting(env.MOAT_DATA_DIR, 'var/csm');
    this.natsUrl = env.MOAT_NATS_URL || 'nats://127.0.0.1:4222';
    this.natsReplicas = natsReplicas(env);
    this.enrolToken = env.MOAT_ENROL_TOKEN || undefined;
    this.httpHost = env.MOAT_HTTP_HOST || '127.0.0.1';
    this.httpPort = port(env, 'MOAT_HTTP_PORT', 8080);
    this.grpcHost = env.MOAT_GRPC_HOST || '127.0.0.1';
    this.grpcPort = port(env, 'MOAT_GRPC_PORT', 50051);
    this.enrolPort = port(env, 'MOAT_ENROL_PORT', 50052);
    this.clickhouse = env.MOAT_CLICKHOUSE || `chdb:${join(this.dataDir, 'clickhouse')}`;
    this.consoleDir = pathSetting(env.MOAT_CONSOLE_DIR, 'apps/console/dist/browser');
    this.bootstrapPolicyFile = env.MOAT_BOOTSTRAP_POLICY ? resolve(env.MOAT_BOOTSTRAP_POLICY) : undefined;
    this.adminPassword = env.MOAT_ADMIN_PASSWORD || undefined;
    this.retentionDays = positiveInt(env, 'MOAT_RETENTION_DAYS', 365);
    this.defaultModelFile = pathSetting(env.MOAT_DEFAULT_MODEL, 'libs/scan/classifier/model/moat-default.model');
    this.sessionIdleMs = positiveInt(env, 'MOAT_SESSION_IDLE_SECONDS', 30 * 60) * 1000;
    this.sessionMaxMs = positiveInt(env, 'MOAT_SESSION_MAX_SECONDS', 12 * 3600) * 1000;
    this.httpTls = httpTls(env, this.dataDir);
    if (this.sessionMaxMs > SESSION_RETENTION_MS) throw new Error(`MOAT_SESSION_MAX_SECONDS must be at most ${SESSION_RETENTION_MS / 1000}, got ${env.MOAT_SESSION_MAX_SECONDS}`);
    this.metricsToken = env.MOAT_METRICS_TOKEN || undefined;
    this.siemDestinations = parseSiemDestinations(env.MOAT_SIEM_DESTINATIONS);
    this.secretKey = env.MOAT_SECRET_KEY || undefined;
    this.dnsServers = parseDnsServers(env.MOAT_CSM_DNS);
  }
}

function parseDnsServers(raw: string | undefined): string[] {
  const servers = (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  try {
    const probe = new Resolver();
    probe.setServers(servers);
  } catch (err) {
    throw new Error(`MOAT_CSM_DNS must list DNS servers as host or host:port, comma-separated: ${(err as Error).message}`, { cause: err });
  }
  return servers;
}

function httpTls(env: NodeJS.ProcessEnv, dataDir: string): CsmConfig['httpTls'] {
  const mode = env.MOAT_HTTP_TLS || 'on';
  if (mode !== 'on' && mode !== 'off') throw new Error(`MOAT_HTTP_TLS must be on or off, got ${mode}`);
  const cert = env.MOAT_TLS_CERT || undefined;
  const key = env.MOAT_TLS_KEY || undefined;
  if (Boolean(cert) !== Boolean(key)) throw new Error('MOAT_TLS_CERT and MOAT_TLS_KEY go together: set both or neither');
  if (mode === 'off') return undefined;
  if (cert && key) return { certFile: resolve(cert), keyFile: resolve(key), generate: false };
  return { certFile: join(dataDir, 'tls', 'cert.pem'), keyFile: join(dataDir, 'tls', 'key.pem'), generate: true };
}

/**
 * MOAT_SIEM_DESTINATIONS: a JSON array of `{name, host, port, tls?, ca?, format?, replayMs?}` (format `json`,
 * `cef` or `leef`, default json; tls default false; replayMs default 5000). Throws a message naming the bad entry.
 */
export function parseSiemDestinations(raw: string | undefined): SiemDestination[] {
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Error(`MOAT_SIEM_DESTINATIONS must be a JSON array: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new Error('MOAT_SIEM_DESTINATIONS must be a JSON array of destinations');
  const names = new Set<string>();
  return parsed.map((entry: unknown, n) => {
    const bad = (what: string) => new Error(`MOAT_SIEM_DESTINATIONS[${n}]: ${what}`);
    if (typeof entry !== 'object' || entry === null) throw bad('must be an object');
    const { name, host, port, tls = false, ca, format = 'json', replayMs = DEFAULT_REPLAY_MS } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !DESTINATION_NAME.test(name)) throw bad('name must be 1-64 letters, digits, - or _');
    if (names.has(name)) throw bad(`name ${name} is used twice`);
    names.add(name);
    if (typeof host !== 'string' || !host) throw bad('host is required');
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw bad('port must be a TCP port (1-65535)');
    if (typeof tls !== 'boolean') throw bad('tls must be true or false');
    if (ca !== undefined && (typeof ca !== 'string' || !tls)) throw bad('ca must be the path of a PEM file, with tls true');
    if (!EXPORT_FORMATS.some((f) => f === format)) throw bad(`format must be one of ${EXPORT_FORMATS.join(', ')}`);
    if (typeof replayMs !== 'number' || !Number.isInteger(replayMs) || replayMs < 0) throw bad('replayMs must be a non-negative integer');
    return { name, host, port, tls, ca: ca === undefined ? undefined : resolve(ca), format: format as ExportFormat, replayMs };
  });
}

function pathSetting(value: string | undefined, fallback: string): string {
  return value ? resolve(value) : resolve(repoRoot, fallback);
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = positiveInt(env, name, fallback, true);
  if (value > 65535) throw new Error(`${name} must be a TCP port (0-65535), got ${env[name]}`);
  return value;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, allowZero = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${raw}`);
  return value;
}
