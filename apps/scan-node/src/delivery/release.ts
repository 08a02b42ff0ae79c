import type { NodeEvents } from '../events/node-events.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { Quarantine } from '../quarantine/quarantine.js';
import type { Spool, SpoolEntry, SpoolMeta } from '../spool/spool.js';
import type { FailedRecipient } from './dsn.js';

export interface ReleaseDeps {
  quarantine: Quarantine;
  spool: Spool;
  delivery: { enqueue(entry: SpoolEntry): void };
  events: NodeEvents;
}

/**
 * Releases a quarantined message (the CSM's Control.release): reads it from the quarantine store, spools it
 * under its own id for RECIPIENTS (every original recipient when empty) and emits a `released` DeliveryEvent per
 * recipient. The spool entry's age starts at the release, so the retry schedule's maximum age counts from
 * there. Returns a human-readable detail for the reply; throws when the message cannot be released.
 */
export async function releaseMessage(deps: ReleaseDeps, messageId: string, recipients: readonly string[]): Promise<string> {
  const found = await deps.quarantine.fetch(messageId);
  if (!found) throw new Error(`message ${messageId} is not in quarantine`);
  const rcptTo = recipients.length > 0 ? [...recipients] : found.meta.rcptTo;
  if (rcptTo.length === 0) throw new Error(`message ${messageId} has no recipients to release to`);
  const now = Date.now();
  let entry: SpoolEntry;
  try {
    entry = await deps.spool.put({ ...found.meta, rcptTo, receivedAtMs: now, released: true }, [found.raw]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return `message ${messageId} is already queued for delivery`;
    throw err;
  }
  deps.delivery.enqueue(entry);
  for (const rcpt of rcptTo) {
    deps.events.delivery(messageId, rcpt, { status: 'released', downstream: '', response: 'released from quarantine', attempts: 0, atMs: now, tlsVersion: '' });
  }
  return `message ${messageId} queued for delivery to ${rcptTo.length} recipient(s)`;
}

/**
 * An administrator's release of a domain's held mail (the CSM's Control.releaseHold): ends the domain's open hold
 * window on this node and delivers what it held, in order of receipt. Throws for a domain the policy does not have.
 */
export async function releaseHold(delivery: { release(domain: string): Promise<{ messages: number; windowEndMs: number | undefined }> }, policies: PolicyStore, domain: string): Promise<string> {
  const name = domain.trim().toLowerCase();
  if (!policies.domain(name)) throw new Error(`${domain} is not a domain of the policy`);
  const { messages, windowEndMs } = await delivery.release(name);
  const window = windowEndMs === undefined ? 'no hold window was open' : `the window that would have ended at ${new Date(windowEndMs).toISOString()} is released`;
  return `${name}: ${window}; ${messages} held message(s) released for delivery`;
}

/**
 * An approver's rejection of a held message (the CSM's Control.reject, F7): reads it from the quarantine store and
 * sends its sender a DSN naming every recipient as failed with `550 5.7.1 rejected by an approver: REASON`. The CSM
 * deletes the body once this answered. Throws when the message is not in the quarantine.
 */
export async function rejectMessage(
  deps: { quarantine: Quarantine; delivery: { notifySender(original: SpoolMeta, bytes: Buffer, failed: readonly FailedRecipient[]): Promise<void> } },
  messageId: string,
  reason: string,
): Promise<string> {
  const found = await deps.quarantine.fetch(messageId);
  if (!found) throw new Error(`message ${messageId} is not in quarantine`);
  const response = `550 5.7.1 rejected by an approver${reason ? `: ${reason}` : ''}`;
  await deps.delivery.notifySender(found.meta, found.raw, found.meta.rcptTo.map((rcpt) => ({ rcpt, response, remoteMta: '' })));
  return found.meta.mailFrom ? `message ${messageId} rejected; ${found.meta.mailFrom} is told` : `message ${messageId} rejected; it has no sender to tell`;
}
