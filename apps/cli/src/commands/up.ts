import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CliError, intOption, parseCommandArgs, writeLine, type Command, type Io } from '../command.js';
import { readClusterFile, removeClusterFile, writeClusterFile } from '../cluster/cluster-file.js';
import { defaultPorts, firstAdminPassword, LocalCluster } from '../cluster/local-cluster.js';
import { lastLines, LogTail } from '../cluster/log-tail.js';
import { REPO_ROOT, resolveVarDir, varPaths } from '../cluster/paths.js';
import { isAlive } from '../cluster/pids.js';
import { preparePrivateLog } from '../cluster/private-log.js';
import { stopRecordedProcesses } from '../cluster/stop-recorded.js';

const READY_LINE = /moat ready/;

export const upCommand: Command = {
  name: 'up',
  usage: `moat up [--nodes N] [--detach] [--var DIR] [port options]

Starts nats-server (JetStream), clamd, the CSM (console and API on https://127.0.0.1:8080 with the CSM's
own self-signed certificate <var>/csm/tls/cert.pem unless MOAT_TLS_CERT/MOAT_TLS_KEY name one, gRPC 50051),
N scan nodes (default 2; SMTP on 127.0.0.1:2525, 2526, ...; Prometheus metrics on http://127.0.0.1:9464/metrics,
9465, ...; the CSM's at /metrics with the token in <var>/csm/metrics-token; submission with STARTTLS on
127.0.0.1:2587, 2588, ... and with implicit TLS on 127.0.0.1:2465, 2466, ...) and a demo mail server on
127.0.0.1:2600 that stores every delivered message under <var>/demo-mailbox/. The demo tenant serves
example.test with the accounts alice@ and bob@; they may send once they have a password
(moat accounts passwd alice@example.test --password-stdin), and their outbound mail goes to the demo
"internet" server on 127.0.0.1:2601, which stores it under <var>/demo-internet/. Prints a line containing "moat ready" once everything accepts traffic, then runs
until Ctrl-C; on the first start that line shows the admin password, which is written nowhere else.
Logs: <var>/logs/ (mode 0600). State: <var>/ (default var/ at the repository root).

  --nodes N            number of scan nodes (default 2)
  --detach             run in the background; stop it with moat down
  --http-port P        CSM console and API (default 8080)
  --grpc-port P        CSM gRPC for nodes (default 50051)
  --enrol-port P       CSM gRPC enrolment, where nodes get their client certificates (default 50052)
  --nats-port P        NATS (default 4222)
  --clamd-port P       clamd (default 3310)
  --smtp-port P        first scan node's SMTP port; the next nodes use P+1, P+2, ... (default 2525)
  --metrics-port P     first scan node's metrics port; the next nodes use P+1, P+2, ... (default 9464)
  --submission-port P  first scan node's submission port (STARTTLS); next nodes P+1, ... (default 2587)
  --submissions-port P first scan node's submission port (implicit TLS); next nodes P+1, ... (default 2465)
  --downstream-port P  demo mailbox SMTP (default 2600)
  --internet-port P    demo internet SMTP, the demo tenant's outbound smarthost (default 2601)`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      nodes: { type: 'string' },
      detach: { type: 'boolean' },
      'http-port': { type: 'string' },
      'grpc-port': { type: 'string' },
      'enrol-port': { type: 'string' },
      'nats-port': { type: 'string' },
      'clamd-port': { type: 'string' },
      'smtp-port': { type: 'string' },
      'metrics-port': { type: 'string' },
      'downstream-port': { type: 'string' },
      'submission-port': { type: 'string' },
      'submissions-port': { type: 'string' },
      'internet-port': { type: 'string' },
    });
    const nodes = intOption('nodes', values.nodes, 0) ?? 2;
    const ports = defaultPorts(nodes, {
      http: intOption('http-port', values['http-port'], 1),
      grpc: intOption('grpc-port', values['grpc-port'], 1),
      enrol: intOption('enrol-port', values['enrol-port'], 1),
      nats: intOption('nats-port', values['nats-port'], 1),
      clamd: intOption('clamd-port', values['clamd-port'], 1),
      smtpBase: intOption('smtp-port', values['smtp-port'], 1),
      metricsBase: intOption('metrics-port', values['metrics-port'], 1),
      downstream: intOption('downstream-port', values['downstream-port'], 1),
      submissionBase: intOption('submission-port', values['submission-port'], 1),
      submissionsBase: intOption('submissions-port', values['submissions-port'], 1),
      internet: intOption('internet-port', values['internet-port'], 1),
    });
    const varDir = resolveVarDir(values.var, io.env, io.cwd);
    await refuseIfRunning(varDir);
    const adminPassword = firstAdminPassword(varDir, io.env);
    if (values.detach) return runDetached(args.filter((a) => a !== '--detach'), varDir, adminPassword, io);
    const cluster = new LocalCluster({ varDir, nodes, ports, restartOnCrash: true, progress: (line) => writeLine(io.out, line), ...(adminPassword ? { adminPassword } : {}) });
    return runForeground(cluster, adminPassword, io);
  },
};

async function refuseIfRunning(varDir: string): Promise<void> {
  const path = varPaths(varDir).clusterFile;
  const existing = await readClusterFile(path);
  if (!existing) return;
  if (isAlive(existing.supervisorPid)) {
    throw new CliError(`a cluster is already running from ${varDir} (pid ${existing.supervisorPid}, ${existing.csmUrl})`, ['stop it with moat down']);
  }
  // Left by a supervisor that was killed: its children may still hold the ports.
  await stopRecordedProcesses(existing);
  await removeClusterFile(path);
}

async function runForeground(cluster: LocalCluster, adminPassword: string | undefined, io: Io): Promise<number> {
  const paths = cluster.paths;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    // Kept installed: a second Ctrl-C must not kill the supervisor half-way and orphan the children.
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => resolve(s));
  });
  const started = cluster.start().then(
    () => 'started' as const,
    (err: Error) => err,
  );
  const first = await Promise.race([started, signalled]);
  if (first instanceof Error) throw new CliError(first.message);
  if (first !== 'started') {
    writeLine(io.out, `${first}: stopping`);
    await cluster.stop();
    await started;
    return 130;
  }
  const record = () => writeClusterFile(paths.clusterFile, cluster.describe(process.pid));
  await record();
  // Restarted processes get new pids; keep cluster.json current for moat down.
  const refresh = setInterval(() => void record(), 5000);
  writeLine(io.out, withPassword(readyLine(cluster), adminPassword));
  const signal = await signalled;
  clearInterval(refresh);
  writeLine(io.out, `${signal}: stopping the cluster`);
  await cluster.stop();
  await removeClusterFile(paths.clusterFile);
  writeLine(io.out, 'moat stopped');
  return 0;
}

/** The first start's admin password, on the terminal only: never in the ready line a detached run logs. */
function withPassword(ready: string, adminPassword: string | undefined): string {
  return adminPassword ? `${ready} · user admin, password ${adminPassword} (shown once)` : ready;
}

function readyLine(cluster: LocalCluster): string {
  // Short paths when inside the working directory, absolute otherwise.
  const show = (p: string) => {
    const rel = relative(process.cwd(), p);
    return rel && !rel.startsWith('..') ? rel : p;
  };
  const list = (ports: number[]) => ports.map((p) => `127.0.0.1:${p}`).join(', ');
  const submission = cluster.ports.submission.length > 0 ? ` · submission ${list(cluster.ports.submission)} (STARTTLS), ${list(cluster.ports.submissions)} (TLS)` : '';
  return `moat ready: console ${cluster.csmUrl}/ · SMTP ${list(cluster.ports.smtp) || 'no nodes'}${submission} · mailbox ${show(cluster.paths.mailbox)} · internet ${show(cluster.paths.internet)} · logs ${show(cluster.paths.logs)}`;
}

/**
 * Starts `moat up` again in the background (own session, output to <var>/logs/moat-up.log) and waits for its
 * ready line. A first start's admin password reaches the background run in its environment, not on its command
 * line or in its log, and only this terminal shows it.
 */
async function runDetached(args: string[], varDir: string, adminPassword: string | undefined, io: Io): Promise<number> {
  const paths = varPaths(varDir);
  preparePrivateLog(paths.upLog);
  const tail = await LogTail.fromEnd(paths.upLog);
  const fd = openSync(paths.upLog, 'a');
  const main = fileURLToPath(new URL('../main.js', import.meta.url));
  const env = adminPassword ? { ...io.env, MOAT_ADMIN_PASSWORD: adminPassword } : io.env;
  const child = spawn(process.execPath, [main, 'up', ...args, '--var', varDir], { cwd: REPO_ROOT, env, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  let exitCode: number | null | undefined;
  child.once('exit', (code) => (exitCode = code));
  child.unref();
  for (;;) {
    const ready = (await tail.readLines()).find((l) => READY_LINE.test(l));
    if (ready) {
      writeLine(io.out, withPassword(ready, adminPassword));
      writeLine(io.out, `running in the background (pid ${child.pid}); stop it with: moat down${varDir === resolveVarDir(undefined, {}, io.cwd) ? '' : ` --var ${varDir}`}`);
      return 0;
    }
    if (exitCode !== undefined) {
      throw new CliError(`the cluster did not start (exit code ${exitCode}); last lines of ${paths.upLog}:`, await lastLines(paths.upLog, 20));
    }
    await sleep(200);
  }
}
