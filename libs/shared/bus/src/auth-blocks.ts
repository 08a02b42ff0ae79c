import { isIP } from 'node:net';
import { storedFields } from './kv.js';

/**
 * One client address's AUTH block (F6), shared by the fleet in the KV bucket moat_auth_blocks: written by the node
 * whose failure count trips `outbound.authFailures.perIp` (auto) or by the CSM (manual add, remove). Nodes refuse
 * AUTH from an address whose block is active. A removed block stays as a record (expiry = removal time) so that its
 * history and its `epoch` survive: failures are counted per epoch, so a removal also forgets the failures so far.
 */
export interface AuthBlock {
  ip: string;
  firstSeenMs: number;
  /** The last failure or refused AUTH from the address. */
  lastSeenMs: number;
  /** When the block ends; 0: permanent. A removed block has its removal time here. */
  expiresAtMs: number;
  /** Failed AUTH counted against the address over all its blocks. */
  failures: number;
  /** How many times the address was blocked. */
  blocks: number;
  source: 'auto' | 'manual';
  /** The policy rule (auto) or the administrator and reason (manual) that blocked it last. */
  rule: string;
  /** ISO 3166 country of the address; '' when unknown. */
  country: string;
  /** Bumped by each removal: the failure counters of earlier epochs no longer count. */
  epoch: number;
}

/** The KV key of an address's block: `ip.` and the address with `:` (not allowed in KV keys) as `_`. */
export function authBlockKey(ip: string): string {
  return `ip.${ip.replaceAll(':', '_')}`;
}

/** Whether BLOCK refuses AUTH at NOW. */
export function authBlockActive(block: AuthBlock, now: number): boolean {
  return block.expiresAtMs === 0 || block.expiresAtMs > now;
}

/** A stored block, or undefined when TEXT is not one (a damaged record counts as no block). */
export function parseAuthBlock(text: string): AuthBlock | undefined {
  const fields = storedFields(text);
  if (!fields) return undefined;
  const { raw: v, num, str } = fields;
  const ip = str('ip');
  if (isIP(ip) === 0) return undefined;
  return {
    ip,
    firstSeenMs: num('firstSeenMs'),
    lastSeenMs: num('lastSeenMs'),
    expiresAtMs: num('expiresAtMs'),
    failures: num('failures'),
    blocks: num('blocks'),
    source: v['source'] === 'manual' ? 'manual' : 'auto',
    rule: str('rule'),
    country: str('country'),
    epoch: num('epoch'),
  };
}

/** How nodes and the CSM open moat_auth_blocks (no TTL: manual blocks may be permanent; the CSM prunes old auto ones). */
export const AUTH_BLOCKS_BUCKET_CONFIG = { history: 1, description: 'Moat AUTH brute-force blocks per client address' } as const;
