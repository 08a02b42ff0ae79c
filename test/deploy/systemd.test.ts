import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { clamdAnswers, demoPolicy } from '@moat/cli/cluster';
import { afterAll, describe, expect, it } from 'vitest';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { sendMail } from '../harness/smtp-client.js';
import { waitFor } from '../harness/wait.js';
import { startRemoteServer } from '../outbound/support.js';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const UNITS = join(REPO, 'deploy/systemd');
const UNIT_FILES = ['moat-node.service', 'moat-csm.service', 'moat-nats.service', 'moat-clamd.service'];

/**
 * What `systemd-analyze security` may still find open, and why: a mail gateway talks to the network, V8 compiles
 * JavaScript into executable memory, and the node binds ports below 1024 through one capability.
 */
const ACCEPTED_EXPOSURES: Record<string, string> = {
  PrivateNetwork: 'every service talks to the network',
  IPAddressDeny: 'nodes deliver to any MX on the internet; the others are reached by any address the site uses',
  RestrictAddressFamilies_AF_INET_INET6: 'TCP is the job',
  RestrictAddressFamilies_AF_UNIX: 'local sockets (journal, resolver)',
  MemoryDenyWriteExecute: "V8's JIT (node, CSM) and ClamAV's bytecode engine need writable executable memory",
  RootDirectoryOrRootImage: 'the services run from the installed tree, not an image',
  SystemCallFilter_resources: 'Node raises its open-file limit at start (setrlimit is in @resources)',
  AmbientCapabilities: 'the node binds 25, 465 and 587 with CAP_NET_BIND_SERVICE only',
  // (systemd 252 spells the field with the closing parenthesis)
  'CapabilityBoundingSet_CAP_NET_BIND_SERVICE_BROADCAST_RAW)': 'the same single capability',
  PrivateUsers: 'the node needs its capability in the host user namespace to bind low ports',
  DeviceAllow: 'ProtectClock leaves the RTC readable',
};

/** The [Service] settings of a unit file, each key with all its values in order. */
async function serviceSettings(file: string): Promise<Map<string, string[]>> {
  const settings = new Map<string, string[]>();
  let section = '';
  for (const raw of (await readFile(file, 'utf8')).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) section = line;
    else if (section === '[Service]') {
      const at = line.indexOf('=');
      const key = line.slice(0, at);
      settings.set(key, [...(settings.get(key) ?? []), line.slice(at + 1)]);
    }
  }
  return settings;
}

/** KEY=VALUE lines of an environment file (comments and blank lines skipped). */
function envFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (line.startsWith('#') || at < 1) continue;
    env[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return env;
}

/** The environment a unit gives its process: the EnvironmentFile (here: the example) then its Environment= lines. */
async function unitEnvironment(unit: Map<string, string[]>, exampleFile?: string): Promise<Record<string, string>> {
  const env = exampleFile ? envFile(await readFile(join(UNITS, exampleFile), 'utf8')) : {};
  for (const line of unit.get('Environment') ?? []) {
    for (const assignment of line.split(' ')) {
      const at = assignment.indexOf('=');
      env[assignment.slice(0, at)] = assignment.slice(at + 1);
    }
  }
  return env;
}

/** The unit's command line with the install tree (/opt/moat) and /etc/moat mapped to this checkout and ETC. */
function execStart(unit: Map<string, string[]>, etc: string): string[] {
  return defined(unit.get('ExecStart')?.[0], 'ExecStart').replaceAll('/opt/moat', REPO).replaceAll('/etc/moat', etc).split(' ');
}

describe('deploy/systemd units', () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((done) => child.once('exit', done)) : undefined)));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('pass systemd-analyze verify: known settings, and programs that exist where the units look for them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'moat-units-'));
    dirs.push(dir);
    for (const name of UNIT_FILES) await writeFile(join(dir, name), (await readFile(join(UNITS, name), 'utf8')).replaceAll('/opt/moat', REPO));
    const { stdout, stderr } = await run('systemd-analyze', ['verify', ...UNIT_FILES.map((name) => join(dir, name))]).catch((err: { stdout: string; stderr: string }) => err);
    // Without a running systemd, verify also says the default targets are missing; nothing else may appear.
    const problems = `${stdout}${stderr}`.split('\n').filter((line) => line.trim() !== '' && !/Unit (sysinit|basic|shutdown|network-online|multi-user)\.target not found/.test(line) && !line.includes('Failed to create'));
    expect(problems).toEqual([]);
  });

  it('have no exposure in systemd-analyze security beyond what a mail gateway needs (each explained)', async () => {
    for (const name of UNIT_FILES) {
      const { stdout } = await run('systemd-analyze', ['security', '--offline=true', '--json=short', join(UNITS, name)]);
      const checks = JSON.parse(stdout) as { set: boolean; json_field: string; exposure: string | null }[];
      const open = checks.filter((c) => !c.set && c.exposure !== null && Number(c.exposure) > 0).map((c) => c.json_field);
      expect(open.filter((field) => !(field in ACCEPTED_EXPOSURES)), name).toEqual([]);
      const overall = await run('systemd-analyze', ['security', '--offline=true', '--threshold=20', join(UNITS, name)]);
      const level = Number(/Overall exposure level for \S+: (\d+\.\d)/.exec(overall.stdout)?.[1]);
      expect(level, `${name}: ${overall.stdout.split('\n').at(-2) ?? ''}`).toBeLessThanOrEqual(2);
    }
  });

  it('name only settings the processes know, in their example files', async () => {
    const documented = await readFile(join(REPO, 'docs/architecture.md'), 'utf8');
    for (const example of ['node.env.example', 'csm.env.example']) {
      for (const key of Object.keys(envFile(await readFile(join(UNITS, example), 'utf8')))) expect(documented, `${example}: ${key}`).toContain(`\`${key}\``);
    }
    expect((await readdir(UNITS)).sort()).toEqual([...UNIT_FILES, 'clamd.conf.example', 'csm.env.example', 'nats.conf.example', 'node.env.example'].sort());
  });

  it('start a working fleet member from their command lines, environments and example settings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'moat-units-run-'));
    dirs.push(dir);
    const etc = join(dir, 'etc');
    const state = (name: string) => join(dir, 'lib', name);
    await mkdir(etc);
    const [nats, clamd, http, grpc, enrol, smtp, downstream] = (await freePorts(7)).map(String);
    const outputs: Record<string, string> = {};
    /** Starts ARGV as the unit would; resolves once its output matches READY (or, without one, at once). */
    const start = (name: string, argv: string[], env: Record<string, string>, ready?: RegExp): Promise<void> => {
      const child = spawn(defined(argv[0], 'program'), argv.slice(1), { cwd: REPO, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      outputs[name] = '';
      return new Promise((resolveReady, reject) => {
        const seen = (chunk: Buffer) => {
          outputs[name] += chunk.toString('utf8');
          if (ready?.test(outputs[name] ?? '')) resolveReady();
        };
        child.stdout?.on('data', seen);
        child.stderr?.on('data', seen);
        child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${(outputs[name] ?? '').slice(-3000)}`)));
        if (!ready) resolveReady();
      });
    };

    // NATS: the example with this machine's ports and a temporary store; the cluster block needs the other two servers.
    const example = await readFile(join(UNITS, 'nats.conf.example'), 'utf8');
    const natsConf = example
      .slice(0, example.indexOf('\ncluster {'))
      .replace('listen: 0.0.0.0:4222', `listen: 127.0.0.1:${nats}`)
      .replace('store_dir: /var/lib/moat-nats', `store_dir: ${state('moat-nats')}`);
    expect(natsConf).toContain(`store_dir: ${state('moat-nats')}`);
    await writeFile(join(etc, 'nats.conf'), natsConf);
    const natsUnit = await serviceSettings(join(UNITS, 'moat-nats.service'));
    await start('nats', execStart(natsUnit, etc), await unitEnvironment(natsUnit), /Server is ready/);

    // clamd: the example with a free port and the test signatures.
    await writeFile(
      join(etc, 'clamd.conf'),
      (await readFile(join(UNITS, 'clamd.conf.example'), 'utf8'))
        .replace('TCPSocket 3310', `TCPSocket ${clamd}`)
        .replace('DatabaseDirectory /var/lib/clamav', `DatabaseDirectory ${join(REPO, 'var/clamav-db')}`)
        .replace('TemporaryDirectory /tmp', `TemporaryDirectory ${dir}`),
    );
    const clamdUnit = await serviceSettings(join(UNITS, 'moat-clamd.service'));
    await start('clamd', execStart(clamdUnit, etc), await unitEnvironment(clamdUnit));

    // The CSM: its unit and example, with this machine's addresses, a first policy and the state directory.
    const remote = await startRemoteServer(Number(downstream));
    const policyFile = join(dir, 'policy.json');
    await writeFile(policyFile, JSON.stringify(demoPolicy(Number(downstream))));
    const enrolToken = randomBytes(16).toString('hex');
    const csmUnit = await serviceSettings(join(UNITS, 'moat-csm.service'));
    const csmEnv: Record<string, string> = {
      ...(await unitEnvironment(csmUnit, 'csm.env.example')),
      MOAT_HTTP_HOST: '127.0.0.1',
      MOAT_GRPC_HOST: '127.0.0.1',
      MOAT_HTTP_PORT: defined(http, 'port'),
      MOAT_GRPC_PORT: defined(grpc, 'port'),
      MOAT_ENROL_PORT: defined(enrol, 'port'),
      MOAT_NATS_URL: `nats://127.0.0.1:${nats}`,
      MOAT_NATS_REPLICAS: '1',
      MOAT_ENROL_TOKEN: enrolToken,
      MOAT_SECRET_KEY: randomBytes(32).toString('base64'),
      MOAT_DATA_DIR: state('moat-csm'),
      MOAT_BOOTSTRAP_POLICY: policyFile,
      MOAT_ADMIN_PASSWORD: randomBytes(12).toString('hex'),
    };
    expect(csmEnv['MOAT_CONSOLE_DIR']).toBe('/opt/moat/apps/console/dist/browser');
    csmEnv['MOAT_CONSOLE_DIR'] = join(REPO, 'apps/console/dist/browser');
    await start('csm', execStart(csmUnit, etc), csmEnv, /csm ready/);
    await waitFor('clamd to answer PING', async () => ((await clamdAnswers(Number(clamd))) ? true : undefined), { timeoutMs: 120_000 });

    // A scan node: its unit and example, pointed at the CSM, NATS and clamd above.
    const nodeUnit = await serviceSettings(join(UNITS, 'moat-node.service'));
    const nodeEnv = {
      ...(await unitEnvironment(nodeUnit, 'node.env.example')),
      MOAT_SMTP_HOST: '127.0.0.1',
      MOAT_SMTP_PORT: defined(smtp, 'port'),
      MOAT_SUBMISSION_PORT: '0',
      MOAT_SUBMISSIONS_PORT: '0',
      MOAT_PROXY_PROTOCOL: '0',
      MOAT_NATS_URL: `nats://127.0.0.1:${nats}`,
      MOAT_NATS_REPLICAS: '1',
      MOAT_CSM_GRPC: `127.0.0.1:${grpc}`,
      MOAT_CSM_ENROL: `127.0.0.1:${enrol}`,
      MOAT_CSM_CA: join(state('moat-csm'), 'tls/cert.pem'),
      MOAT_CLAMD: `127.0.0.1:${clamd}`,
      MOAT_METRICS_HOST: '127.0.0.1',
      MOAT_METRICS_PORT: '0',
      MOAT_ENROL_TOKEN: enrolToken,
      MOAT_DATA_DIR: state('moat-node'),
    };
    expect(nodeEnv).toMatchObject({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' });
    await start('node', execStart(nodeUnit, etc), nodeEnv, /node ready/);

    const subject = `through the units ${randomBytes(4).toString('hex')}`;
    await waitFor('the node to take mail for example.test', async () => {
      const sent = await sendMail(Number(smtp), { from: 'sender@remote.test', to: 'alice@example.test', subject });
      if (!sent.accepted) throw new Error(`${sent.response}\nnode:\n${(outputs['node'] ?? '').slice(-2000)}\ncsm:\n${(outputs['csm'] ?? '').slice(-2000)}`);
      return sent;
    });
    const got = await waitFor('the message at the downstream server', async () => remote.received.find((m) => m.raw.includes(subject)));
    expect(got.to).toEqual(['alice@example.test']);
    await remote.close();
  }, 300_000);
});
