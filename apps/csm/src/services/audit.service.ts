import { Injectable, Logger } from '@nestjs/common';
import { EventStoreRepository } from '../repositories/event-store.repository.js';
import { errorMessage } from '../util/errors.js';

export interface AuditRecord {
  admin: string;
  action: string;
  target: string;
  detail?: string;
  ok?: boolean;
}

/** The audit log (ClickHouse table `audit`): who did what, when. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('audit');

  constructor(private readonly store: EventStoreRepository) {}

  /** Records an entry; throws when it cannot be stored, so the audited change is not made unrecorded. */
  async record(entry: AuditRecord): Promise<void> {
    await this.store.insertAudit({ atMs: Date.now(), detail: '', ok: true, ...entry });
  }

  /** Records an entry for something that already happened (a login); a storage failure is logged, not raised. */
  async recordQuietly(entry: AuditRecord): Promise<void> {
    await this.record(entry).catch((err: unknown) => this.logger.error(`audit entry ${entry.action} ${entry.target} by ${entry.admin} not stored: ${errorMessage(err)}`));
  }
}
