import { Injectable } from '@nestjs/common';
import { ACTION_NAMES, EventStoreRepository, type ActionName, type MailDetail, type MailSummary } from '../repositories/event-store.repository.js';
import { ConflictError, errorMessage, InvalidInputError, NotFoundError, UnavailableError } from '../util/errors.js';
import { AuditService } from './audit.service.js';
import { ControlService } from './control.service.js';

export const DEFAULT_SEARCH_LIMIT = 100;
export const MAX_SEARCH_LIMIT = 10_000;
/** Actions after which the message body is held centrally and can be released. */
const RELEASABLE: ActionName[] = ['quarantine', 'hold'];

export interface MailSearch {
  sender?: string;
  rcpt?: string;
  subject?: string;
  verdict?: string;
  fromMs?: number;
  toMs?: number;
  limit?: string;
}

export interface ReleaseResult {
  ok: boolean;
  nodeId: string;
  detail: string;
}

/** Mail search across all nodes, one message's record, and release of quarantined messages. */
@Injectable()
export class MailService {
  constructor(
    private readonly store: EventStoreRepository,
    private readonly control: ControlService,
    private readonly audit: AuditService,
  ) {}

  async search(query: MailSearch): Promise<MailSummary[]> {
    const problems: string[] = [];
    const verdict = query.verdict ?? '';
    if (verdict && !isAction(verdict)) problems.push(`verdict: must be one of ${ACTION_NAMES.join(', ')}`);
    const limit = query.limit === undefined || query.limit === '' ? DEFAULT_SEARCH_LIMIT : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) problems.push(`limit: must be an integer from 1 to ${MAX_SEARCH_LIMIT}`);
    if (problems.length) throw new InvalidInputError('invalid search', problems);
    return this.store.searchMail({
      sender: query.sender ?? '',
      rcpt: query.rcpt ?? '',
      subject: query.subject ?? '',
      verdict: verdict as ActionName | '',
      fromMs: query.fromMs ?? 0,
      toMs: query.toMs ?? Date.now() + 24 * 3600 * 1000,
      limit,
    });
  }

  async get(id: string): Promise<MailDetail> {
    const mail = await this.store.getMail(id);
    if (!mail) throw new NotFoundError(`no message with id ${id}`);
    return mail;
  }

  /** One message as an administrator opens it; the view is audited (the record shows envelope and content). */
  async view(id: string, admin: string): Promise<MailDetail> {
    const mail = await this.get(id);
    await this.audit.record({ admin, action: 'mail.view', target: id });
    return mail;
  }

  /**
   * Has a connected node deliver a quarantined message (the body is in the shared object store, so any node
   * can; the one that received it is asked first), then records the release as a `released` delivery state.
   */
  async release(id: string, admin: string): Promise<ReleaseResult> {
    const mail = await this.get(id);
    if (!RELEASABLE.includes(mail.action)) throw new ConflictError(`message ${id} was not quarantined or held (action ${mail.action})`);
    if (mail.released) throw new ConflictError(`message ${id} was already released`);
    const nodeId = this.control.connected(mail.nodeId) ? mail.nodeId : this.control.connectedNodes()[0];
    if (!nodeId) throw new UnavailableError('no scan node is connected to the CSM to deliver the message');
    const reply = await this.control.release(nodeId, id).catch((err: unknown) => ({ ok: false, error: errorMessage(err), detail: '' }));
    await this.audit.recordQuietly({ admin, action: 'mail.release', target: id, detail: reply.ok ? `via node ${nodeId}` : reply.error, ok: reply.ok });
    if (!reply.ok) return { ok: false, nodeId, detail: reply.error || 'the node refused the release' };
    await this.store.insertEvents([], [
      { messageId: id, nodeId, recipient: '', result: { status: 'released', downstream: '', response: reply.detail, attempts: 0, atMs: Date.now() } },
    ]);
    return { ok: true, nodeId, detail: reply.detail || 'released' };
  }
}

function isAction(value: string): value is ActionName {
  return (ACTION_NAMES as readonly string[]).includes(value);
}
