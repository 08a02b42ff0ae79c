import { Injectable } from '@nestjs/common';
import { Resolver } from 'node:dns/promises';
import { CsmConfig } from '../csm-config.js';
import { DnsTxtRepository, type TxtLookup } from './dns-txt.repository.js';

/** Each try waits this long; with TRIES, a lookup ends within about 6 s. */
const TIMEOUT_MS = 3000;
const TRIES = 2;
const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND']);
const REASONS: Record<string, string> = {
  ETIMEOUT: 'the DNS server did not answer in time',
  ESERVFAIL: 'the DNS server answered SERVFAIL',
  EREFUSED: 'the DNS server refused the query',
  ECONNREFUSED: 'the DNS server could not be reached',
};

/** node:dns with bounded timeouts, on MOAT_CSM_DNS's servers or the system's. */
@Injectable()
export class ResolverDnsTxtRepository extends DnsTxtRepository {
  private readonly resolver = new Resolver({ timeout: TIMEOUT_MS, tries: TRIES });

  constructor(config: CsmConfig) {
    super();
    if (config.dnsServers.length > 0) this.resolver.setServers(config.dnsServers);
  }

  async txt(name: string): Promise<TxtLookup> {
    try {
      return { kind: 'found', records: (await this.resolver.resolveTxt(name)).map((strings) => strings.join('')) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (NO_RECORD.has(code)) return { kind: 'none' };
      return { kind: 'failed', reason: REASONS[code] ?? `the lookup failed (${code || (err as Error).message})` };
    }
  }
}
