import { readFile } from 'node:fs/promises';
import { readClusterFile } from '../cluster/cluster-file.js';
import { resolveVarDir, varPaths } from '../cluster/paths.js';

export const DEFAULT_CSM_URL = 'http://127.0.0.1:8080';

/** Where the CSM is and how to authenticate to it. */
export interface CsmLocation {
  url: string;
  token: string | undefined;
  /** Where the token came from, for error messages. */
  tokenSource: string;
}

/**
 * Finds the CSM: `--csm`, MOAT_CSM_URL, the running cluster's cluster.json, then the default URL.
 * The token: MOAT_TOKEN, else the local admin token the CSM writes into its data dir.
 */
export async function locateCsm(flags: { csm?: string; var?: string }, env: NodeJS.ProcessEnv, cwd: string): Promise<CsmLocation> {
  const paths = varPaths(resolveVarDir(flags.var, env, cwd));
  const cluster = await readClusterFile(paths.clusterFile);
  const url = (flags.csm ?? env['MOAT_CSM_URL'] ?? cluster?.csmUrl ?? DEFAULT_CSM_URL).replace(/\/+$/, '');
  if (env['MOAT_TOKEN']) return { url, token: env['MOAT_TOKEN'], tokenSource: 'MOAT_TOKEN' };
  const tokenFile = cluster ? `${cluster.csmDataDir}/cli-token` : paths.cliToken;
  try {
    return { url, token: (await readFile(tokenFile, 'utf8')).trim(), tokenSource: tokenFile };
  } catch {
    return { url, token: undefined, tokenSource: `MOAT_TOKEN (unset) or ${tokenFile} (missing)` };
  }
}
