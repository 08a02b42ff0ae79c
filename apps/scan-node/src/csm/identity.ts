import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../storage/durable-fs.js';

/**
 * Credentials the CSM issued at enrolment: the id and secret sent as gRPC metadata on every later call and, when
 * gRPC runs over TLS, the node's private key (made by the node, never sent) and the client certificate the CSM's
 * node CA signed for it (CN = node id), presented in every TLS handshake with the CSM.
 */
export interface NodeIdentity {
  nodeId: string;
  nodeSecret: string;
  /** PKCS#8 PEM; absent for an identity from a CSM without TLS. */
  key?: string;
  /** PEM; absent for an identity from a CSM without TLS. */
  certificate?: string;
}

/** `<data>/identity.json` (mode 0600): the node's enrolled identity, kept across restarts. */
export class IdentityFile {
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'identity.json');
  }

  async load(): Promise<NodeIdentity | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) throw new Error(`${this.path}: expected {"nodeId", "nodeSecret"}`);
    const { nodeId, nodeSecret, key, certificate } = value as Record<string, unknown>;
    if (typeof nodeId !== 'string' || !nodeId || typeof nodeSecret !== 'string' || !nodeSecret) {
      throw new Error(`${this.path}: expected {"nodeId", "nodeSecret"} strings`);
    }
    if (typeof key === 'string' && key && typeof certificate === 'string' && certificate) return { nodeId, nodeSecret, key, certificate };
    return { nodeId, nodeSecret };
  }

  async save(identity: NodeIdentity): Promise<void> {
    await writeFileAtomically(this.path, JSON.stringify(identity), 0o600);
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
