import { Injectable } from '@nestjs/common';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CsmConfig } from '../csm-config.js';
import type { AdminRecord } from './config.repository.js';
import { LocalStateRepository } from './local-state.repository.js';

/** LocalStateRepository over files in MOAT_DATA_DIR. */
@Injectable()
export class FileLocalStateRepository extends LocalStateRepository {
  constructor(private readonly config: CsmConfig) {
    super();
  }

  async writeCliToken(token: string): Promise<void> {
    await this.writePrivate('cli-token', `${token}\n`);
  }

  async metricsToken(create: () => string): Promise<string> {
    try {
      const existing = (await readFile(join(this.config.dataDir, 'metrics-token'), 'utf8')).trim();
      if (existing) return existing;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const token = create();
    await this.writePrivate('metrics-token', `${token}\n`);
    return token;
  }

  async readAdminCache(): Promise<AdminRecord[]> {
    try {
      const parsed: unknown = JSON.parse(await readFile(join(this.config.dataDir, 'admins.json'), 'utf8'));
      return Array.isArray(parsed) ? parsed.filter(isAdminRecord) : [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async writeAdminCache(records: AdminRecord[]): Promise<void> {
    await this.writePrivate('admins.json', JSON.stringify(records, null, 2));
  }

  /** Writes via a temporary file and rename, so a crash never leaves half a file; mode 0600 from creation. */
  private async writePrivate(name: string, content: string): Promise<void> {
    await mkdir(this.config.dataDir, { recursive: true, mode: 0o700 });
    const path = join(this.config.dataDir, name);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, content, { mode: 0o600 });
    await rename(temporary, path);
  }
}

function isAdminRecord(value: unknown): value is AdminRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<AdminRecord>;
  return typeof record.username === 'string' && typeof record.password?.hash === 'string' && typeof record.password.salt === 'string';
}
