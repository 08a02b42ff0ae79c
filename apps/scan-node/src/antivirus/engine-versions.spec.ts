import { EngineUnavailableError, HashDbEngine, type AntivirusEngine } from '@moat/content';
import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../log.js';
import { EngineVersions } from './engine-versions.js';

const log: Logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

function engine(name: string, version: () => Promise<string>): AntivirusEngine {
  return { name, kind: 'signature', version, scan: () => Promise.resolve({ infected: false }) };
}

describe('EngineVersions', () => {
  it('reports each engine by name, and an engine that does not answer as unavailable', async () => {
    let up = false;
    const clamav = engine('clamav', () => (up ? Promise.resolve('ClamAV 1.4.3/27500') : Promise.reject(new EngineUnavailableError('clamav', 'connection refused'))));
    const versions = new EngineVersions(() => [clamav, new HashDbEngine([], '12')], log);
    expect(versions.current()).toEqual({});
    await versions.refresh();
    expect(versions.current()).toEqual({ clamav: 'unavailable: clamav unavailable: connection refused', hashdb: 'hashdb 12 (0 hashes)' });
    expect(versions.up()).toEqual({ clamav: false, hashdb: true });
    up = true;
    await versions.refresh();
    expect(versions.current()).toEqual({ clamav: 'ClamAV 1.4.3/27500', hashdb: 'hashdb 12 (0 hashes)' });
    expect(log.info).toHaveBeenCalledWith('clamav answers again: ClamAV 1.4.3/27500');
    expect(versions.up()).toEqual({ clamav: true, hashdb: true });
  });
});
