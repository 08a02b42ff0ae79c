import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file sits at apps/cli/{src,dist}/cluster/ in both the sources and the build. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The cluster's var dir: `--var`, else MOAT_VAR, else `var/` at the repository root. */
export function resolveVarDir(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const chosen = flag ?? env['MOAT_VAR'];
  if (!chosen) return resolve(REPO_ROOT, 'var');
  return isAbsolute(chosen) ? chosen : resolve(cwd, chosen);
}

/** Files and folders inside a var dir, named in one place because the CLI, the runner and tests share them. */
export const varPaths = (varDir: string) => ({
  clusterFile: resolve(varDir, 'cluster.json'),
  logs: resolve(varDir, 'logs'),
  nats: resolve(varDir, 'nats'),
  clamd: resolve(varDir, 'clamd'),
  csm: resolve(varDir, 'csm'),
  cliToken: resolve(varDir, 'csm', 'cli-token'),
  /** The CSM's self-signed HTTPS certificate, generated at its first start. */
  csmCert: resolve(varDir, 'csm', 'tls', 'cert.pem'),
  node: (name: string) => resolve(varDir, 'nodes', name),
  mailbox: resolve(varDir, 'demo-mailbox'),
  /** What the demo "internet" server (the demo tenant's outbound smarthost) received. */
  internet: resolve(varDir, 'demo-internet'),
  enrolToken: resolve(varDir, 'enrol-token'),
  bootstrapPolicy: resolve(varDir, 'demo-policy.json'),
  upLog: resolve(varDir, 'logs', 'moat-up.log'),
});
