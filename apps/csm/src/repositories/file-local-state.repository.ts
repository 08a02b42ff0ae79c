import { Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CsmConfig } from '../csm-config.js';
import { writeFileAtomically } from '../util/atomic-file.js';
import { withRoleDefaults, type AdminRecord } from './config.repository.js';
import { LocalStateRepository, type StoredNodeCa } from './local-state.repository.js';

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
      return Array.isArray(parsed) ? parsed.filter(isAdminRecord).map(withRoleDefaults) : [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async writeAdminCache(records: AdminRecord[]): Promise<void> {
    await this.writePrivate('admins.json', JSON.stringify(records, null, 2));
  }

  async readNodeCa(): Promise<StoredNodeCa | undefined> {
    const file = join(this.config.dataDir, 'node-ca.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const value: unknown = JSON.parse(text);
    const { certificate, sealedKey } = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof StoredNodeCa, unknown>>;
    if (typeof certificate !== 'string' || typeof sealedKey !== 'string') throw new Error(`${file}: expected {"certificate", "sealedKey"} strings`);
    return { certificate, sealedKey };
  }

  async writeNodeCa(ca: StoredNodeCa): Promise<void> {
    await this.writePrivate('node-ca.json', JSON.stringify(ca, null, 2));
  }

  /** Mode 0600 from creation, in a 0700 data dir. */
  private async writePrivate(name: string, content: string): Promise<void> {
    await writeFileAtomically(join(this.config.dataDir, name), content, 0o600);
  }
}

function isAdminRecord(value: unknown): value is AdminRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<AdminRecord>;
  return typeof record.username === 'string' && typeof record.password?.hash === 'string' && typeof record.password.salt === 'string';
}
