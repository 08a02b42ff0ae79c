import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventStoreRepository } from '../repositories/event-store.repository.js';
import { errorMessage } from '../util/errors.js';
import { auditExport } from './export-events.js';
import { ExportLogService } from './export-log.service.js';

export interface AuditRecord {
  admin: string;
  action: string;
  target: string;
  detail?: string;
  ok?: boolean;
}

/** The audit log (ClickHouse table `audit`, and the export log): who did what, when. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('audit');

  constructor(
    private readonly store: EventStoreRepository,
    private readonly exportLog: ExportLogService,
  ) {}

  /** Records an entry; throws when it cannot be stored, so the audited change is not made unrecorded. */
  async record(entry: AuditRecord): Promise<void> {
    const stored = { atMs: Date.now(), detail: '', ok: true, ...entry };
    await this.store.insertAudit(stored);
    await this.exportLog.append([auditExport(stored, randomUUID())]);
  }

  /** Records an entry for something that already happened (a login); a storage failure is logged, not raised. */
  async recordQuietly(entry: AuditRecord): Promise<void> {
    await this.record(entry).catch((err: unknown) => this.logger.error(`audit entry ${entry.action} ${entry.target} by ${entry.admin} not stored: ${errorMessage(err)}`));
  }
}
