import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    const flags = ['--metrics-port', metrics, '--http-port', ports.http, '--grpc-port', ports.grpc, '--nats-port', ports.nats, '--clamd-port', ports.clamd, '--downstream-port', ports.downstream, '--smtp-port', smtp].map(String);
    const up = await runMoat(['up', '--detach', '--nodes', '1', ...flags], env(), 240_000);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/moat ready: console http:\/\/127\.0\.0\.1:\d+\//);
    expect(up.stdout).toContain(`SMTP 127.0.0.1:${smtp}`);

    const cluster = defined(await readClusterFile(join(varDir, 'cluster.json')), 'cluster.json');
    expect(cluster.ports.http).toBe(ports.http);
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
    for (const port of [ports.http, ports.grpc, ports.nats, ports.clamd, ports.downstream, smtp, metrics]) expect(await tcpAccepts(port)).toBe(false);

    const idle = await runMoat(['down'], env());
    expect(idle.stdout).toContain('no cluster is running');
  });
});
