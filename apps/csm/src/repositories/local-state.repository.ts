import type { AdminRecord } from './config.repository.js';

/** Files the CSM keeps in its data directory: the local CLI token and a cache of the admin records. */
export abstract class LocalStateRepository {
  /** Writes the token the `moat` CLI on this machine reads (mode 0600). */
  abstract writeCliToken(token: string): Promise<void>;
  /** Admin records last seen in KV, so login works while NATS is down; empty when there is no cache. */
  abstract readAdminCache(): Promise<AdminRecord[]>;
  abstract writeAdminCache(records: AdminRecord[]): Promise<void>;
}
