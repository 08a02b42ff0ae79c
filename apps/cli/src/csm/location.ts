import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { readClusterFile } from '../cluster/cluster-file.js';
import { CliError } from '../command.js';
import { resolveVarDir, varPaths } from '../cluster/paths.js';

export const DEFAULT_CSM_URL = 'https://127.0.0.1:8080';

/** Where the CSM is and how to authenticate to it. */
export interface CsmLocation {
  url: string;
  token: string | undefined;
  /** Where the token came from, for error messages. */
  tokenSource: string;
  /** The certificate (PEM) an https URL must present, when it is the cluster's own; else the system's CAs decide. */
  ca?: string;
}

/**
 * Finds the CSM: `--csm`, MOAT_CSM_URL, the running cluster's cluster.json, then the default URL.
 * The token: MOAT_TOKEN, else the local admin token the CSM writes into its data dir.
 * The certificate to trust for https: MOAT_CSM_CA (a PEM file), else the local cluster's own (cluster.json, or
 * the CSM data dir's tls/cert.pem); no such file: the system's CAs. Never "accept anything".
 */
export async function locateCsm(flags: { csm?: string; var?: string }, env: NodeJS.ProcessEnv, cwd: string): Promise<CsmLocation> {
  const paths = varPaths(resolveVarDir(flags.var, env, cwd));
  const cluster = await readClusterFile(paths.clusterFile);
  const url = (flags.csm ?? env['MOAT_CSM_URL'] ?? cluster?.csmUrl ?? DEFAULT_CSM_URL).replace(/(?<!\/)\/+$/, '');
  const ca = await readCa(env['MOAT_CSM_CA'] ?? cluster?.csmCertFile ?? (existsSync(paths.csmCert) ? paths.csmCert : undefined));
  const trust = ca === undefined ? {} : { ca };
  if (env['MOAT_TOKEN']) return { url, token: env['MOAT_TOKEN'], tokenSource: 'MOAT_TOKEN', ...trust };
  const tokenFile = cluster ? `${cluster.csmDataDir}/cli-token` : paths.cliToken;
  try {
    return { url, token: (await readFile(tokenFile, 'utf8')).trim(), tokenSource: tokenFile, ...trust };
  } catch {
    return { url, token: undefined, tokenSource: `MOAT_TOKEN (unset) or ${tokenFile} (missing)`, ...trust };
  }
}

async function readCa(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the CSM's certificate ${file}: ${(err as Error).message}`, ['set MOAT_CSM_CA to the PEM file of the certificate the CSM serves']);
  }
}
