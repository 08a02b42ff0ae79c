import type { Io } from '../command.js';
import { CsmClient } from './client.js';
import { locateCsm } from './location.js';

/** The client for a command's `--csm` / `--var` flags and environment. */
export async function connectCsm(flags: { csm?: string | undefined; var?: string | undefined }, io: Io): Promise<CsmClient> {
  return new CsmClient(await locateCsm(flags, io.env, io.cwd));
}
