import { Injectable } from '@nestjs/common';
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError, errorMessage } from '../util/errors.js';
import { ClassifierService } from './classifier.service.js';
import { MailService } from './mail.service.js';
import { MessageBodyService } from './message-body.service.js';

export const BULK_ACTIONS = ['release', 'delete', 'report-spam', 'report-ham', 'forward'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export const MAX_BULK_IDS = 1000;

export interface BulkItemResult {
  id: string;
  ok: boolean;
  detail: string;
}

export interface BulkResult {
  action: BulkAction;
  ok: number;
  failed: number;
  results: BulkItemResult[];
}

/**
 * One action on many selected messages (`POST /api/mail/actions`), each through the same path as the single
 * action, one after the other, each audited by it. A message that cannot take the action (not found, not
 * quarantined, already released, no node connected) is a failed item; the others go on.
 */
@Injectable()
export class MailActionsService {
  constructor(
    private readonly mail: MailService,
    private readonly classifier: ClassifierService,
    private readonly bodies: MessageBodyService,
  ) {}

  async run(input: unknown, admin: string): Promise<BulkResult> {
    const { action, ids, to } = parseBulk(input);
    const results: BulkItemResult[] = [];
    for (const id of ids) results.push(await this.one(action, id, admin, to));
    const ok = results.filter((r) => r.ok).length;
    return { action, ok, failed: results.length - ok, results };
  }

  private async one(action: BulkAction, id: string, admin: string, to: string): Promise<BulkItemResult> {
    try {
      switch (action) {
        case 'release':
          return { id, ...(await this.mail.release(id, admin)) };
        case 'delete':
          await this.mail.deleteFromQuarantine(id, admin);
          return { id, ok: true, detail: 'deleted from the quarantine' };
        case 'report-spam':
        case 'report-ham':
          return { id, ...(await this.classifier.report(id, { kind: action === 'report-spam' ? 'spam' : 'ham' }, admin)) };
        case 'forward': {
          const result = await this.bodies.forward(id, to, admin);
          return { id, ok: result.ok, detail: result.detail };
        }
      }
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof ConflictError || err instanceof UnavailableError) return { id, ok: false, detail: errorMessage(err) };
      throw err;
    }
  }
}

function parseBulk(input: unknown): { action: BulkAction; ids: string[]; to: string } {
  const body = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const problems: string[] = [];
  const { action, ids, to } = body;
  if (action === 'forward' && (typeof to !== 'string' || !to)) problems.push('to: the address to forward to is required');
  if (typeof action !== 'string' || !(BULK_ACTIONS as readonly string[]).includes(action)) problems.push(`action: must be one of ${BULK_ACTIONS.join(', ')}`);
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_BULK_IDS) problems.push(`ids: must be a list of 1 to ${MAX_BULK_IDS} message ids`);
  else if (!ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 200)) problems.push('ids: every id must be a non-empty string of at most 200 characters');
  if (problems.length) throw new InvalidInputError('invalid bulk action', problems);
  return { action: action as BulkAction, ids: [...new Set(ids as string[])], to: typeof to === 'string' ? to : '' };
}
