import type { ForwardMessage } from '@moat/proto/grpc';
import { newMessageId } from '../ids.js';
import type { Spool, SpoolEntry } from '../spool/spool.js';

export interface ForwardDeps {
  spool: Pick<Spool, 'put'>;
  delivery: { enqueue(entry: SpoolEntry): void };
  policyVersion: () => number;
}

/**
 * Forwards a kept message to one address (the CSM's Control.forward): spools the body the CSM sent under a new id,
 * as outbound mail, so delivery takes the recipient's tenant downstream or else the outbound route (smarthost or
 * MX) and retries on the schedule. Returns the detail of the reply.
 */
export async function forwardMessage(deps: ForwardDeps, forward: ForwardMessage): Promise<string> {
  if (!forward.to) throw new Error('no address to forward to');
  if (forward.raw.length === 0) throw new Error(`no body sent for message ${forward.messageId}`);
  const now = Date.now();
  const id = newMessageId(now);
  const entry = await deps.spool.put(
    { id, receivedAtMs: now, mailFrom: forward.mailFrom, rcptTo: [forward.to], clientIp: '', helo: '', action: 'deliver', score: 0, policyVersion: deps.policyVersion(), direction: 'outbound' },
    [Buffer.from(forward.raw)],
  );
  deps.delivery.enqueue(entry);
  return `message ${forward.messageId} queued as ${id} for ${forward.to}`;
}
