// The built CSM (apps/csm/dist) for the CSM benchmarks: started on free loopback ports over a data dir, its API
// called with the local CLI token over HTTPS, trusting exactly the CSM's own certificate.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { startProcess, whenReady } from '../relay/lib/processes.mjs';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts the CSM (MAIN: another build's main.js) on DATADIR against NATSURL; resolves once it printed `csm ready`. */
export async function startCsm({ natsUrl, dataDir, env = {}, main = join(repoRoot, 'apps/csm/dist/main.js') }) {
  const proc = startProcess('csm', process.execPath, [main], {
    cwd: repoRoot,
    env: {
      ...process.env,
      MOAT_NATS_URL: natsUrl,
      MOAT_DATA_DIR: dataDir,
      MOAT_HTTP_PORT: '0',
      MOAT_GRPC_PORT: '0',
      MOAT_ENROL_PORT: '0',
      MOAT_CONSOLE_DIR: join(dataDir, 'no-console'),
      ...env,
    },
  });
  await whenReady(proc, proc.waitForOutput(/csm ready https?:\/\/\S+ grpc \S+ enrol \S+ data \S+/, 600_000));
  const [, baseUrl, certFile] = proc.output().match(/csm ready (https?:\/\/\S+) grpc \S+ enrol \S+ data \S+(?: cert (\S+))?/);
  const dispatcher = new Agent(certFile ? { connect: { ca: readFileSync(certFile, 'utf8') } } : {});
  const token = readFileSync(join(dataDir, 'cli-token'), 'utf8').trim();
  return {
    ...proc,
    /** GET PATH (or POST with BODY) on the API; throws unless 200; resolves with the parsed body. */
    async call(path, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher,
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${text.slice(0, 300)}`);
      return JSON.parse(text);
    },
  };
}

/** p50 and p95 (nearest rank) of SAMPLES in ms. */
export function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: at(50), p95: at(95) };
}

export const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
