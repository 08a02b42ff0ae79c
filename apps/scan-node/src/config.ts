import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHostPort, type HostPort } from '@moat/pipeline';
import { natsReplicas, natsServers } from '@moat/bus';

/** Process configuration of a scan node, read once from the environment (docs/architecture.md, "Process configuration"). */
export interface NodeConfig {
  nodeName: string;
  smtpHost: string;
  smtpPort: number;
  /** Submission with STARTTLS (AUTH only after it) and with implicit TLS, on MOAT_SMTP_HOST; undefined: not offered. */
  submissionPort: number | undefined;
  submissionsPort: number | undefined;
  dataDir: string;
  natsUrl: string;
  /** host:port of the CSM's gRPC NodeService. */
  csmGrpc: string;
  /** host:port of the CSM's enrolment port (MOAT_CSM_ENROL; default: MOAT_CSM_GRPC's host, port 50052). */
  csmEnrol: string;
  /** TLS toward the CSM (MOAT_CSM_TLS, default on), verified against MOAT_CSM_CA (PEM file) or the system's CAs; undefined: plaintext. */
  csmTls: { caFile: string | undefined } | undefined;
  /** One-time token; needed only until the node has enrolled (the identity is then kept in the data dir). */
  enrolToken: string | undefined;
  clamd: HostPort;
  /** Every connection starts with an HAProxy PROXY v1/v2 header carrying the real client address. */
  proxyProtocol: boolean;
  /** The Prometheus listener (`/metrics`); port 0 picks a free port. */
  metricsHost: string;
  metricsPort: number;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Tests only (MOAT_TEST_CLOCK=1): the file whose time the delivery hold windows read instead of the system clock. */
  clockFile: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid scan node configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Defaults that are paths resolve against the repository root, as the CSM's do; given paths against the working directory. */
const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Reads and validates the node's environment; every problem is reported at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const problems: string[] = [];
  const read = (name: string, fallback: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };

  const nodeName = read('MOAT_NODE_NAME', 'node-1');
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(nodeName)) {
    problems.push(`MOAT_NODE_NAME must be 1-63 letters, digits, '-' or '_' (it names NATS subjects), got ${JSON.stringify(nodeName)}`);
  }
  const smtpHost = read('MOAT_SMTP_HOST', '127.0.0.1');
  if (isIP(smtpHost) === 0 && smtpHost !== 'localhost') problems.push(`MOAT_SMTP_HOST must be an IP address to listen on, got ${JSON.stringify(smtpHost)}`);
  const smtpPort = parsePort('MOAT_SMTP_PORT', read('MOAT_SMTP_PORT', '2525'), problems);
  const submissionSetting = read('MOAT_SUBMISSION_PORT', '');
  const submissionPort = submissionSetting === '' ? undefined : parsePort('MOAT_SUBMISSION_PORT', submissionSetting, problems);
  const submissionsSetting = read('MOAT_SUBMISSIONS_PORT', '');
  const submissionsPort = submissionsSetting === '' ? undefined : parsePort('MOAT_SUBMISSIONS_PORT', submissionsSetting, problems);
  const natsUrl = read('MOAT_NATS_URL', 'nats://127.0.0.1:4222');
  if (!natsServers(natsUrl).every((server) => /^(nats|tls|wss?):\/\/[^\s,]+$/.test(server))) problems.push(`MOAT_NATS_URL must look like nats://host:port (several separated by commas), got ${JSON.stringify(natsUrl)}`);
  // Read where the node creates its buckets and streams; checked here so that a bad value is reported at start.
  try {
    natsReplicas(env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const csmGrpc = read('MOAT_CSM_GRPC', '127.0.0.1:50051');
  const grpcHost = hostPort('MOAT_CSM_GRPC', csmGrpc, problems).host;
  const enrolSetting = read('MOAT_CSM_ENROL', '');
  if (enrolSetting) hostPort('MOAT_CSM_ENROL', enrolSetting, problems);
  const csmEnrol = enrolSetting || `${grpcHost.includes(':') ? `[${grpcHost}]` : grpcHost}:50052`;
  const csmTlsMode = read('MOAT_CSM_TLS', 'on');
  if (csmTlsMode !== 'on' && csmTlsMode !== 'off') problems.push(`MOAT_CSM_TLS must be on or off, got ${JSON.stringify(csmTlsMode)}`);
  const csmCa = read('MOAT_CSM_CA', '');
  const clamd = hostPort('MOAT_CLAMD', read('MOAT_CLAMD', '127.0.0.1:3310'), problems);
  const metricsHost = read('MOAT_METRICS_HOST', '127.0.0.1');
  if (isIP(metricsHost) === 0 && metricsHost !== 'localhost') problems.push(`MOAT_METRICS_HOST must be an IP address to listen on, got ${JSON.stringify(metricsHost)}`);
  const metricsPort = parsePort('MOAT_METRICS_PORT', read('MOAT_METRICS_PORT', '9464'), problems);
  const proxy = read('MOAT_PROXY_PROTOCOL', '0').toLowerCase();
  if (!['0', '1', 'off', 'on', 'false', 'true'].includes(proxy)) problems.push(`MOAT_PROXY_PROTOCOL must be 1 (on) or 0 (off), got ${JSON.stringify(proxy)}`);
  const enrolToken = read('MOAT_ENROL_TOKEN', '') || undefined;
  const dataDirSetting = env.MOAT_DATA_DIR?.trim();
  const dataDir = dataDirSetting ? resolve(dataDirSetting) : resolve(repoRoot, 'var/nodes', nodeName);
  const clockFile = read('MOAT_CLOCK_FILE', '');
  if (clockFile && read('MOAT_TEST_CLOCK', '0') !== '1') problems.push('MOAT_CLOCK_FILE is for tests: it is refused unless MOAT_TEST_CLOCK=1');

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    nodeName,
    smtpHost,
    smtpPort,
    submissionPort,
    submissionsPort,
    dataDir,
    natsUrl,
    csmGrpc,
    csmEnrol,
    csmTls: csmTlsMode === 'off' ? undefined : { caFile: csmCa ? resolve(csmCa) : undefined },
    enrolToken,
    clamd,
    proxyProtocol: ['1', 'on', 'true'].includes(proxy),
    metricsHost,
    metricsPort,
    metricsToken: read('MOAT_METRICS_TOKEN', '') || undefined,
    clockFile: clockFile ? resolve(clockFile) : undefined,
  };
}

function parsePort(name: string, raw: string, problems: string[]): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    problems.push(`${name} must be a TCP port (0-65535), got ${JSON.stringify(raw)}`);
    return 0;
  }
  return port;
}

function hostPort(name: string, raw: string, problems: string[]): HostPort {
  try {
    return parseHostPort(raw);
  } catch (err) {
    problems.push(`${name}: ${(err as Error).message}`);
    return { host: '', port: 0 };
  }
}
