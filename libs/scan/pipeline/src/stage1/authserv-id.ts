import type { CompiledPolicy } from '../compile-policy.js';
import type { ScanOptions } from '../types.js';

/**
 * The authserv-id of our Authentication-Results fields: the policy's (one id for the whole fleet), else
 * the node's host name. The node strips incoming fields with this id from every message it relays.
 */
export function authservId(policy: CompiledPolicy, options: ScanOptions): string {
  return policy.stage1.settings.auth.authservId ?? options.hostname ?? 'moat';
}
