import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { readClusterFile, isAlive, tcpAccepts } from '@moat/cli/cluster';
import { statusSchema } from '@moat/cli/api';
import { defined } from '../harness/defined.js';
import { freeClusterPorts } from '../harness/free-ports.js';
import { runMoat } from '../harness/moat-cli.js';
import { waitFor } from '../harness/wait.js';

// `moat up --detach` runs a cluster in the background with cluster.json, `moat status` finds it, `moat down` stops it.
describe('moat up --detach and moat down', () => {
  let varDir = '';
  const env = () => {
    const e: NodeJS.ProcessEnv = { ...process.env, MOAT_VAR: varDir };
    delete e['MOAT_CSM_URL'];
    delete e['MOAT_TOKEN'];
    return e;
  };
  afterAll(async () => {
    if (varDir) {
      await runMoat(['down'], env());
      await rm(varDir, { recursive: true, force: true });
    }
  });

  it('starts in the background, answers status through cluster.json, and stops everything', async () => {
    varDir = await mkdtemp(join(tmpdir(), 'moat-up-'));
    const ports = await freeClusterPorts(1);
    const smtp = defined(ports.smtp[0], 'an SMTP port');
    const metrics = defined(ports.metrics[0], 'a metrics port');
    const submission = defined(ports.submission[0], 'a submission port');
    const submissions = defined(ports.submissions[0], 'a submissions port');
    const flags = ['--metrics-port', metrics, '--http-port', ports.http, '--grpc-port', ports.grpc, '--enrol-port', ports.enrol, '--nats-port', ports.nats, '--clamd-port', ports.clamd, '--downstream-port', ports.downstream, '--smtp-port', smtp]
      .concat(['--submission-port', submission, '--submissions-port', submissions, '--internet-port', ports.internet])
      .map(String);
    const up = await runMoat(['up', '--detach', '--nodes', '1', ...flags], env(), 240_000);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/moat ready: console https:\/\/127\.0\.0\.1:\d+\//);
    expect(up.stdout).toContain(`SMTP 127.0.0.1:${smtp}`);
    // The first start's admin password: on this terminal once, in no log file, and logs readable by their owner only.
    const password = defined(/user admin, password (\S+) \(shown once\)/.exec(up.stdout)?.[1], 'the admin password in the ready line');
    const logs = join(varDir, 'logs');
    const logFiles = await readdir(logs);
    expect(logFiles).toEqual(expect.arrayContaining(['csm.log', 'moat-up.log', 'nats.log', 'node-1.log']));
    expect((await stat(logs)).mode & 0o777).toBe(0o700);
    for (const name of logFiles) {
      expect((await stat(join(logs, name))).mode & 0o777, name).toBe(0o600);
      expect(await readFile(join(logs, name), 'utf8'), name).not.toContain(password);
    }

    const cluster = defined(await readClusterFile(join(varDir, 'cluster.json')), 'cluster.json');
    expect(cluster.ports.http).toBe(ports.http);
    // The password is the admin's, over HTTPS with the cluster's own certificate.
    const ca = await readFile(defined(cluster.csmCertFile, 'the CSM certificate in cluster.json'), 'utf8');
    const login = await fetch(`${cluster.csmUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
      dispatcher: new Agent({ connect: { ca } }),
    });
    expect(login.status).toBe(200);
    expect(cluster.ports.metrics).toEqual([metrics]);
    expect(isAlive(cluster.supervisorPid)).toBe(true);

    const again = await runMoat(['up', '--detach', '--nodes', '1', ...flags], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already running');

    const status = await waitFor('the node to be up in moat status', async () => {
      const r = await runMoat(['status', '--json'], env());
      if (r.code !== 0) throw new Error(r.stderr);
      const s = statusSchema.parse(JSON.parse(r.stdout));
      return s.nodes.length === 1 && s.nodes[0]?.up ? s : undefined;
    });
    expect(status.nodes[0]?.smtpAddress).toContain(String(smtp));
    expect(status.nodes[0]?.metricsUrl).toBe(`http://127.0.0.1:${metrics}/metrics`);
    expect(status.nats.ok).toBe(true);
    expect(status.clickhouse.ok).toBe(true);

    const down = await runMoat(['down'], env(), 120_000);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('moat stopped');
    expect(existsSync(join(varDir, 'cluster.json'))).toBe(false);
    for (const p of cluster.processes) if (p.pid !== null) expect(isAlive(p.pid), `${p.name} still running`).toBe(false);
    for (const port of [ports.http, ports.grpc, ports.enrol, ports.nats, ports.clamd, ports.downstream, ports.internet, smtp, metrics, submission, submissions]) expect(await tcpAccepts(port)).toBe(false);

    const idle = await runMoat(['down'], env());
    expect(idle.stdout).toContain('no cluster is running');
  });
});
