import { Injectable, Logger } from '@nestjs/common';
import { DirectoryConfigRepository, type DirectorySettings } from '../repositories/directory-config.repository.js';
import { DirectoryRepository, type DirectoryConnection } from '../repositories/directory.repository.js';
import { errorMessage } from '../util/errors.js';

/** How the CSM reaches a tenant's directory. */
export function directoryConnection(settings: Pick<DirectorySettings, 'url' | 'startTls' | 'ca'>): DirectoryConnection {
  return { url: settings.url, startTls: settings.startTls, ...(settings.ca ? { ca: settings.ca } : {}) };
}

/**
 * Password checks of administrators made by the directory sync: a bind as the user's DN at its tenant's
 * directory (no service password needed). A directory that cannot be reached refuses the login (logged).
 */
@Injectable()
export class DirectoryLoginService {
  private readonly logger = new Logger('directory');

  constructor(
    private readonly settings: DirectoryConfigRepository,
    private readonly directory: DirectoryRepository,
  ) {}

  async verify(tenant: string, dn: string, password: string): Promise<boolean> {
    try {
      const settings = await this.settings.getSettings(tenant);
      if (!settings) return false;
      return await this.directory.verify(directoryConnection(settings), dn, password);
    } catch (err) {
      this.logger.warn(`directory login of ${dn} (tenant ${tenant}) not checked: ${errorMessage(err)}`);
      return false;
    }
  }
}
