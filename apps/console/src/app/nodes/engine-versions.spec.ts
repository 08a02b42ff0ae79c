import { engineVersions, signatureDateMs } from './engine-versions';

describe('engineVersions', () => {
  it('splits ClamAV into engine and signature database, keeps the hash list whole, sorted by engine', () => {
    expect(engineVersions({ hashdb: 'hashdb policy 7 (12 hashes)', clamav: 'ClamAV 1.4.6/27500/Thu Nov 27 09:33:02 2026' })).toEqual([
      { engine: 'clamav', version: 'ClamAV 1.4.6', signatures: '27500 · Thu Nov 27 09:33:02 2026', unavailable: false },
      { engine: 'hashdb', version: 'hashdb policy 7 (12 hashes)', unavailable: false },
    ]);
  });

  it('marks an engine the node could not ask', () => {
    expect(engineVersions({ clamav: 'unavailable: clamav unavailable: connect ECONNREFUSED 127.0.0.1:3310' })).toEqual([
      { engine: 'clamav', version: 'clamav unavailable: connect ECONNREFUSED 127.0.0.1:3310', unavailable: true },
    ]);
  });

  it('is empty before the first heartbeat', () => {
    expect(engineVersions({})).toEqual([]);
  });
});

describe('signatureDateMs', () => {
  it('reads the date clamd gives its signatures, and nothing from other versions', () => {
    const [clamav, hashdb] = engineVersions({ clamav: 'ClamAV 1.4.6/27500/Thu Nov 27 09:33:02 2026', hashdb: 'hashdb policy 7 (12 hashes)' });
    expect(clamav && signatureDateMs(clamav)).toBe(new Date(2026, 10, 27, 9, 33, 2).getTime());
    expect(hashdb && signatureDateMs(hashdb)).toBeNull();
    expect(signatureDateMs({ engine: 'clamav', version: 'ClamAV 1.4.6', signatures: '27500', unavailable: false })).toBeNull();
  });
});
