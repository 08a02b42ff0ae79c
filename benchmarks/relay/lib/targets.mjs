// The three servers the benchmark compares, each started on its own free port:
//   sink    Postfix's smtp-sink alone (the ceiling: it parses SMTP and throws the message away)
//   haraka  Haraka as a plain relay (rcpt_to.in_host_list + queue/smtp_forward) to the sink, one process
//   node    the Moat scan node relaying the benchmark domain to the sink: its relay path (lists, relay control,
//           MIME parse, header and body checks, attachment walk), fsynced spool and events; antivirus (ClamAV,
//           SHA-256 list) and bulk checksums off
//   node-full  the same node on the default policy: antivirus and the fleet-wide bulk checksums too
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, waitForSmtp, whenReady } from './processes.mjs';

export const BENCH_DOMAIN = 'bench.test';

/** smtp-sink, with a running counter of received messages (`mesg=N` after every "."). */
export async function startSink() {
  const port = await freePort();
  // -u: smtp-sink refuses to run as root without a user to switch to after binding.
  const proc = startProcess('smtp-sink', '/usr/sbin/smtp-sink', ['-c', '-u', 'nobody', `127.0.0.1:${port}`, '1024']);
  await whenReady(proc, waitForSmtp(port, proc));
  return {
    ...proc,
    port,
    delivered() {
      const counts = [...proc.output().matchAll(/mesg=(\d+)/g)];
      return counts.length ? Number(counts.at(-1)[1]) : 0;
    },
  };
}

export async function startHaraka({ workDir, sinkPort, benchDir }) {
  const port = await freePort();
  const root = join(workDir, 'haraka');
  const bin = join(benchDir, 'node_modules/Haraka/bin/haraka');
  if (!existsSync(bin)) throw new Error(`Haraka is not installed: ${bin}`);
  execFileSync(process.execPath, [bin, '-i', root], { stdio: 'ignore' }); // Haraka's own default configuration
  const config = {
    'smtp.ini': `listen=127.0.0.1:${port}\n`, // no "nodes": one process, no cluster
    plugins: 'rcpt_to.in_host_list\nqueue/smtp_forward\n',
    host_list: `${BENCH_DOMAIN}\n`,
    'smtp_forward.ini': `host=127.0.0.1\nport=${sinkPort}\n`,
    // Warnings only, as the node logs: per-transaction info lines would cost Haraka throughput.
    'log.ini': '[main]\nlevel=warn\ntimestamps=false\n',
  };
  for (const [name, content] of Object.entries(config)) writeFileSync(join(root, 'config', name), content);
  const proc = startProcess('haraka', process.execPath, [bin, '-c', root]);
  await whenReady(proc, waitForSmtp(port, proc));
  return { ...proc, port };
}

export async function startNats({ workDir }) {
  const port = await freePort();
  const proc = startProcess('nats-server', '/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(workDir, 'nats')]);
  await whenReady(proc, proc.waitForOutput(/Server is ready/));
  return { ...proc, url: `nats://127.0.0.1:${port}` };
}

/** clamd on Moat's offline signature set (scripts/clamav-db.mjs), as the node scans attachments with it. */
export async function startClamd({ workDir, repoRoot }) {
  const port = await freePort();
  const config = join(workDir, 'clamd.conf');
  const lines = [`TCPSocket ${port}`, 'TCPAddr 127.0.0.1', 'Foreground yes', `DatabaseDirectory ${join(repoRoot, 'var/clamav-db')}`];
  writeFileSync(config, `${lines.join('\n')}\n`);
  const proc = startProcess('clamd', '/usr/sbin/clamd', ['-c', config]);
  await whenReady(proc, proc.waitForOutput(/Self checking every/));
  return { ...proc, address: `127.0.0.1:${port}` };
}

/**
 * The scan node with a persisted policy relaying the benchmark domain to the sink; no CSM is running. The
 * lists hold entries that never match, so that their checks run. FULL keeps the default policy's ClamAV and
 * bulk checksums; stage-1 checks skip loopback clients by default (smtpChecks.exemptNetworks) either way.
 */
export async function startNode({ workDir, repoRoot, sinkPort, natsUrl, clamd, full = false }) {
  const port = await freePort();
  const csmPort = await freePort(); // nothing listens there: the node runs on its persisted policy
  const name = full ? 'bench-node-full' : 'bench-node';
  const dataDir = join(workDir, name);
  mkdirSync(dataDir, { recursive: true });
  const policy = {
    domains: [{ name: BENCH_DOMAIN, downstream: { host: '127.0.0.1', port: sinkPort, tls: 'none' } }],
    lists: { ipBlock: ['192.0.2.0/24', '198.51.100.7'], senderBlock: ['spam@blocked.test', 'blocked.test', '.blocked.test'] },
    smtp: { greetingDelayMs: 0, maxConnectionsPerIp: 200 },
    delivery: { concurrencyPerDestination: 20 },
    ...(full ? {} : { attachments: { antivirus: { clamav: false, hashDb: false } }, body: { bulk: { enabled: false } } }),
  };
  writeFileSync(join(dataDir, 'policy.json'), `${JSON.stringify({ version: 1, policy }, null, 2)}\n`);
  const main = process.env.BENCH_NODE_MAIN ?? join(repoRoot, 'apps/scan-node/dist/main.js');
  if (!existsSync(main)) throw new Error(`the scan node is not built: ${main} (run npm run build)`);
  const env = {
    ...process.env,
    MOAT_NODE_NAME: name,
    MOAT_DATA_DIR: dataDir,
    MOAT_SMTP_HOST: '127.0.0.1',
    MOAT_SMTP_PORT: String(port),
    MOAT_METRICS_PORT: '0',
    MOAT_NATS_URL: natsUrl,
    MOAT_CSM_GRPC: `127.0.0.1:${csmPort}`,
    MOAT_ENROL_TOKEN: 'bench-no-csm',
    MOAT_CLAMD: clamd,
  };
  const proc = startProcess('scan-node', process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), main], { env, cwd: workDir });
  await whenReady(proc, proc.waitForOutput(/node ready/).then(() => waitForSmtp(port, proc)));
  return { ...proc, port };
}
