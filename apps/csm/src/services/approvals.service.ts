import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { MailDetail } from '../repositories/event-store.repository.js';
import { ConflictError, errorMessage, InvalidInputError, UnavailableError } from '../util/errors.js';
import { AuditService } from './audit.service.js';
import { ControlService } from './control.service.js';
import { MailService, type MailRow, type ReleaseResult } from './mail.service.js';
import { PolicyService } from './policy.service.js';

/** Held outbound messages listed at most (newest first). */
export const MAX_APPROVALS = 1000;
export const MAX_REASON_CHARS = 500;
/** Held messages whose symbols are read at once when the list gives each one's reasons. */
const REASON_READS = 8;
/** How often held outbound mail past the policy's `dlp.approvalExpiryHours` is rejected. */
const EXPIRY_SWEEP_MS = 15_000;
/** Who the audit log names for an expiry. */
export const EXPIRY_ADMIN = 'system:approval-expiry';

/** A held message awaiting a decision, with why it was held: `APPROVAL_RULE <rule>: <matched>`, `DLP_<KIND> <finding>`, `COMPROMISE_HELD <account>: ...`. */
export interface PendingApproval extends MailRow {
  reasons: string[];
}

export interface ApprovalDecision {
  id: string;
  decision: 'approved' | 'rejected';
  nodeId: string;
  detail: string;
}

/**
 * Outbound approval (F7): outbound mail a policy held (a DLP rule with action hold, ...) waits in the quarantine
 * for an approver. Approve = release (delivered outbound); reject = the node tells the sender (a DSN naming every
 * recipient, with the reason), then the body is deleted. Every decision is audited (`approvals.approve`,
 * `approvals.reject`) besides the release or deletion it makes. Mail not decided within the policy's
 * `dlp.approvalExpiryHours` is rejected by the sweeper, the sender told why.
 */
@Injectable()
export class ApprovalsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApprovalsService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly mail: MailService,
    private readonly control: ControlService,
    private readonly audit: AuditService,
    private readonly policy: PolicyService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.expire(), EXPIRY_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Rejects held outbound mail older than the policy's expiry; returns the ids rejected (failures are logged and retried). */
  async expire(nowMs = Date.now()): Promise<string[]> {
    try {
      const hours = (await this.policy.get()).policy.dlp.approvalExpiryHours;
      const expired = (await this.list()).filter((m) => m.receivedAtMs + hours * 3_600_000 <= nowMs);
      const done: string[] = [];
      for (const m of expired) {
        try {
          await this.reject(m.id, { reason: `not approved within ${hours} hours` }, EXPIRY_ADMIN);
          done.push(m.id);
        } catch (err) {
          this.logger.warn(`held message ${m.id} not expired yet: ${errorMessage(err)}`);
        }
      }
      return done;
    } catch (err) {
      this.logger.warn(`approval expiry sweep skipped: ${errorMessage(err)}`);
      return [];
    }
  }

  /** Held outbound messages not yet decided (not released, not deleted), newest first. */
  async list(): Promise<MailRow[]> {
    const page = await this.mail.search({ where: { and: [{ field: 'verdict', value: 'hold' }, { field: 'direction', value: 'outbound' }] }, limit: MAX_APPROVALS });
    return page.messages.filter((m) => !m.released && m.deliveryStatus !== 'deleted');
  }

  /** What GET /api/approvals shows: `list()` with each message's reasons (the approval rules and DLP findings that held it). */
  async listWithReasons(): Promise<PendingApproval[]> {
    const rows = await this.list();
    const out: PendingApproval[] = [];
    for (let i = 0; i < rows.length; i += REASON_READS) {
      const batch = rows.slice(i, i + REASON_READS);
      out.push(...(await Promise.all(batch.map(async (row) => ({ ...row, reasons: holdReasons(await this.mail.get(row.id).catch(() => undefined)) })))));
    }
    return out;
  }

  async approve(id: string, admin: string): Promise<ApprovalDecision> {
    await this.pending(id);
    const released: ReleaseResult = await this.mail.release(id, admin);
    await this.audit.recordQuietly({ admin, action: 'approvals.approve', target: id, detail: released.detail, ok: released.ok });
    if (!released.ok) throw new UnavailableError(`message ${id} could not be released: ${released.detail}`);
    return { id, decision: 'approved', nodeId: released.nodeId, detail: released.detail };
  }

  async reject(id: string, input: unknown, admin: string): Promise<ApprovalDecision> {
    const reason = parseReason(input);
    const mail = await this.pending(id);
    const nodeId = this.control.connected(mail.nodeId) ? mail.nodeId : this.control.connectedNodes()[0];
    if (!nodeId) throw new UnavailableError('no scan node is connected to the CSM to tell the sender');
    const reply = await this.control.reject(nodeId, id, reason).catch((err: unknown) => ({ ok: false, error: errorMessage(err), detail: '' }));
    await this.audit.recordQuietly({ admin, action: 'approvals.reject', target: id, detail: reply.ok ? `${reason || 'no reason given'}; via node ${nodeId}` : reply.error, ok: reply.ok });
    if (!reply.ok) throw new UnavailableError(`message ${id}: the node could not tell the sender: ${reply.error}`);
    await this.mail.deleteFromQuarantine(id, admin);
    return { id, decision: 'rejected', nodeId, detail: reply.detail };
  }

  /** The message, when it is held outbound mail still awaiting a decision (404 unknown, 409 otherwise). */
  private async pending(id: string): Promise<MailDetail> {
    const mail = await this.mail.get(id);
    if (mail.action !== 'hold' || mail.direction !== 'outbound') throw new ConflictError(`message ${id} is not outbound mail held for approval (action ${mail.action}, ${mail.direction})`);
    if (mail.released) throw new ConflictError(`message ${id} was already approved (released)`);
    if (mail.deliveryStatus === 'deleted') throw new ConflictError(`message ${id} was already rejected or deleted`);
    return mail;
  }
}

function holdReasons(mail: MailDetail | undefined): string[] {
  return (mail?.symbols ?? []).filter((s) => s.name === 'APPROVAL_RULE' || s.name === 'COMPROMISE_HELD' || (s.name.startsWith('DLP_') && s.name !== 'DLP_TRUNCATED')).map((s) => `${s.name} ${s.detail}`);
}

/** `{reason?: string}`: at most MAX_REASON_CHARS, control characters made spaces (it goes into a DSN). */
function parseReason(input: unknown): string {
  const body = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const reason = body['reason'] ?? '';
  if (typeof reason !== 'string' || reason.length > MAX_REASON_CHARS) throw new InvalidInputError('invalid rejection', [`reason: must be a string of at most ${MAX_REASON_CHARS} characters`]);
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return reason.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
}
