import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One resource record in zone-file presentation form (see `zoneName`, `zoneTxt`). */
export interface ZoneRecord {
  name: string;
  type: string;
  data: string;
}

export interface ZoneData {
  records: ZoneRecord[];
  /** Zones knotd is told about but cannot load: it answers SERVFAIL for every name in them. */
  servfail?: string[];
  /** The port on 127.0.0.1 to answer on (one reserved earlier, when a process must know it in advance); default: a free one. */
  port?: number;
  /** Sign the root zone with DNSSEC (keys made by knotd), for a validating resolver that trusts its key (unbound.ts). */
  dnssec?: boolean;
}

export interface RunningKnot {
  /** "127.0.0.1:port", for ResolverOptions.servers */
  server: string;
  stop(): Promise<void>;
}

// A label byte that may stand as itself in a zone file; everything else is written \DDD.
const plainLabelByte = /[A-Za-z0-9_-]/;

/** A domain name in presentation form, fully qualified; "" is the root. */
export function zoneName(name: string): string {
  const labels = name.replace(/\.$/, '').split('.').filter((label) => label !== '');
  if (labels.length === 0) return '.';
  const escape = (label: string): string =>
    [...Buffer.from(label, 'latin1')]
      .map((byte) => (plainLabelByte.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`))
      .join('');
  return `${labels.map(escape).join('.')}.`;
}

/** A name DNS can carry: labels of 1..63 octets, 255 octets in all. */
export function isRepresentable(name: string): boolean {
  const labels = name.replace(/\.$/, '').split('.');
  return labels.every((label) => label.length > 0 && label.length <= 63) && Buffer.byteLength(name, 'latin1') <= 253;
}

/**
 * TXT rdata from character-strings given as text whose code points are octets (how the suites write
 * non-ASCII bytes). A string longer than 255 octets is split, as a publisher's DNS software would.
 */
export function zoneTxt(strings: string[]): string {
  const quoted: string[] = [];
  // RDATA holds at least one character-string: an empty record is one empty string.
  for (const text of strings.length > 0 ? strings : ['']) {
    const bytes = Buffer.from(text, 'latin1');
    for (let start = 0; start === 0 || start < bytes.length; start += 255) {
      const chunk = bytes.subarray(start, start + 255);
      const escaped = [...chunk].map((byte) => (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`));
      quoted.push(`"${escaped.join('')}"`);
      if (bytes.length === 0) break;
    }
  }
  return quoted.join(' ');
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

function knotConfig(dir: string, port: number, servfail: string[], dnssec: boolean): string {
  const signing = dnssec ? '    dnssec-signing: on\n    dnssec-policy: test\n' : '';
  const policy = dnssec ? 'policy:\n  - id: test\n    algorithm: ecdsap256sha256\n    single-type-signing: on\n' : '';
  const failing = servfail.map((zone, index) => `  - domain: ${zoneName(zone)}\n    file: ${join(dir, `servfail-${index}.zone`)}\n`);
  return `server:
  rundir: ${dir}
  listen: 127.0.0.1@${port}
  udp-workers: 2
  tcp-workers: 1
  background-workers: 1
log:
  - target: ${join(dir, 'knot.log')}
    any: critical
database:
  storage: ${dir}
${policy}template:
  - id: default
    storage: ${dir}
    zonefile-sync: -1
    journal-content: none
    semantic-checks: off
zone:
  - domain: .
    file: ${join(dir, 'root.zone')}
${signing}${failing.join('')}`;
}

function rootZone(records: ZoneRecord[]): string {
  const lines = ['$TTL 300', '. SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 300', '. NS ns.invalid.'];
  for (const record of records) lines.push(`${zoneName(record.name)} ${record.type} ${record.data}`);
  return `${lines.join('\n')}\n`;
}

async function waitUntilAnswering(server: string, knot: ChildProcess, logFile: string): Promise<void> {
  const probe = new Resolver({ timeout: 100, tries: 1 });
  probe.setServers([server]);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (knot.exitCode !== null) throw new Error(`knotd exited with ${knot.exitCode}; see ${logFile}`);
    try {
      await probe.resolveSoa('.');
      return;
    } catch {
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 20));
    }
  }
  throw new Error(`knotd on ${server} did not answer within 10 s`);
}

/**
 * Starts a real knotd authoritative for the root zone holding `records` (so every other name is NXDOMAIN),
 * on a free port of 127.0.0.1, with its config, zones and run dir in a temp dir removed by stop().
 */
export async function startKnot(zones: ZoneData): Promise<RunningKnot> {
  const dir = mkdtempSync(join(tmpdir(), 'moat-knot-'));
  writeFileSync(join(dir, 'root.zone'), rootZone(zones.records));
  const port = zones.port ?? (await freePort());
  const configFile = join(dir, 'knot.conf');
  writeFileSync(configFile, knotConfig(dir, port, zones.servfail ?? [], zones.dnssec ?? false));
  const knot = spawn('knotd', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: Buffer[] = [];
  knot.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const server = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (knot.exitCode === null) {
      const exited = new Promise((resolveExit) => knot.once('exit', resolveExit));
      knot.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(server, knot, join(dir, 'knot.log'));
  } catch (error) {
    const detail = Buffer.concat(stderr).toString('utf8');
    await stop();
    throw new Error(`${(error as Error).message}\n${detail}`);
  }
  return { server, stop };
}

export interface Blackhole {
  server: string;
  stop(): Promise<void>;
}

/** A UDP listener that reads queries and never answers: the servers of a zone that time out. */
export function startBlackhole(): Promise<Blackhole> {
  return new Promise((resolveHole) => {
    const socket = createSocket('udp4');
    socket.on('message', () => undefined);
    socket.bind(0, '127.0.0.1', () => {
      resolveHole({
        server: `127.0.0.1:${socket.address().port}`,
        stop: () => new Promise((resolveClose) => socket.close(() => resolveClose())),
      });
    });
  });
}
