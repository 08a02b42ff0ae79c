import type { AdminRecord } from './config.repository.js';

/** The node CA as kept at rest: its certificate and its private key sealed with the CSM's SecretBox. */
export interface StoredNodeCa {
  certificate: string;
  sealedKey: string;
}

/**
 * Files the CSM keeps in its data directory: the local CLI token, the metrics token, a cache of the admin records
 * and the node CA.
 */
export abstract class LocalStateRepository {
  /** Writes the token the `moat` CLI on this machine reads (mode 0600). */
  abstract writeCliToken(token: string): Promise<void>;
  /** The token Prometheus scrapes /metrics with (`<data>/metrics-token`), created (mode 0600) with TOKEN when missing. */
  abstract metricsToken(create: () => string): Promise<string>;
  /** Admin records last seen in KV, so login works while NATS is down; empty when there is no cache. */
  abstract readAdminCache(): Promise<AdminRecord[]>;
  abstract writeAdminCache(records: AdminRecord[]): Promise<void>;
  /** The node CA (`<data>/node-ca.json`), undefined when none was made yet. */
  abstract readNodeCa(): Promise<StoredNodeCa | undefined>;
  /** Keeps the node CA (mode 0600). */
  abstract writeNodeCa(ca: StoredNodeCa): Promise<void>;
}
