import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../..');
const run = promisify(execFile);

/** promtool (Debian package prometheus, installed by scripts/setup.sh); its output, or the failure with its output. */
async function promtool(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd, timeout: 60_000 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const failed = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`promtool ${args.join(' ')} failed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`, { cause: err });
  }
}

// Issue 17: deploy/prometheus/ is what an operator starts from, so Prometheus's own checker must accept it and
// the alert rules must fire on the series they are written for (deploy/prometheus/alerts.test.yml).
describe('deploy/prometheus', () => {
  let dir: string;
  let deploy: string;
  beforeAll(async () => {
    // The config names the CSM's token file relative to itself (../../var/csm/metrics-token), as in a checkout
    // where `moat up` ran; promtool checks that the file exists.
    dir = await mkdtemp(join(tmpdir(), 'moat-prometheus-'));
    deploy = join(dir, 'deploy/prometheus');
    await cp(join(REPO, 'deploy/prometheus'), deploy, { recursive: true });
    await mkdir(join(dir, 'var/csm'), { recursive: true });
    await writeFile(join(dir, 'var/csm/metrics-token'), 'token\n', { mode: 0o600 });
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prometheus.yml passes promtool check config, with its rule file', async () => {
    const out = await promtool(['check', 'config', 'prometheus.yml'], deploy);
    expect(out).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    expect(out).toContain('SUCCESS: 1 rule files found');
    expect(out).toMatch(/SUCCESS: 1\d rules found/);
  });

  it('alerts.yml passes promtool check rules', async () => {
    expect(await promtool(['check', 'rules', 'alerts.yml'], deploy)).toMatch(/SUCCESS: 1\d rules found/);
  });

  it('the alerts fire on the series they watch (promtool test rules)', async () => {
    expect(await promtool(['test', 'rules', 'alerts.test.yml'], deploy)).toContain('SUCCESS');
  });
});
