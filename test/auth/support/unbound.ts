import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from '../../harness/free-ports.js';
import type { RunningKnot } from './knot.js';

const run = promisify(execFile);

export interface RunningUnbound {
  /** "127.0.0.1:port", for the policy's dns.servers */
  server: string;
  stop(): Promise<void>;
}

/**
 * A real validating resolver (Debian's unbound) in front of a knotd signing the root zone (startKnot with
 * `dnssec`): its trust anchor is that zone's key, so the answers it validates carry the AD bit, as a site's own
 * validating resolver gives them. `test.` is served (unbound keeps RFC 6761 names local unless told otherwise).
 */
export async function startUnbound(knot: RunningKnot): Promise<RunningUnbound> {
  const [knotHost = '127.0.0.1', knotPort = '53'] = knot.server.split(':');
  const { stdout } = await run('kdig', [`@${knotHost}`, '-p', knotPort, '.', 'DNSKEY', '+short']);
  const keys = stdout.trim().split('\n').filter((line) => line.startsWith('257 '));
  if (keys.length === 0) throw new Error(`knotd on ${knot.server} serves no key-signing key: is the zone signed (dnssec: true)?`);
  const dir = mkdtempSync(join(tmpdir(), 'moat-unbound-'));
  writeFileSync(join(dir, 'root.key'), keys.map((key) => `. 300 IN DNSKEY ${key}\n`).join(''));
  const [port] = await freePorts(1);
  const configFile = join(dir, 'unbound.conf');
  writeFileSync(
    configFile,
    `server:
  interface: 127.0.0.1
  port: ${port}
  do-ip6: no
  do-not-query-localhost: no
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${join(dir, 'unbound.pid')}"
  use-syslog: no
  logfile: "${join(dir, 'unbound.log')}"
  trust-anchor-file: "${join(dir, 'root.key')}"
  access-control: 127.0.0.0/8 allow
  qname-minimisation: no
  module-config: "validator iterator"
  local-zone: "test." nodefault
stub-zone:
  name: "."
  stub-addr: ${knotHost}@${knotPort}
  stub-prime: no
`,
  );
  const unbound = spawn('unbound', ['-d', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const server = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (unbound.exitCode === null) {
      const exited = new Promise((resolveExit) => unbound.once('exit', resolveExit));
      unbound.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (unbound.exitCode !== null) throw new Error(`unbound exited with ${unbound.exitCode}; see ${join(dir, 'unbound.log')}`);
    try {
      const { stdout: flags } = await run('kdig', ['@127.0.0.1', '-p', String(port), '.', 'SOA', '+dnssec', '+timeout=1', '+retry=0']);
      if (flags.split('\n').some((line) => line.startsWith(';; Flags:') && line.includes(' ad;'))) return { server, stop };
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`unbound on ${server} did not validate the signed root within 10 s`);
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
  }
}
