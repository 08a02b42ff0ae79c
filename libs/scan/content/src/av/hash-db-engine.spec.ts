import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HashDbEngine } from './hash-db-engine.js';

describe('HashDbEngine', () => {
  const bad = Buffer.from('known bad attachment');
  const engine = new HashDbEngine([{ sha256: createHash('sha256').update(bad).digest('hex').toUpperCase(), name: 'Moat.Hash.Test' }], '42');

  it('finds a listed SHA-256 in any case and passes others', async () => {
    expect(await engine.scan(bad)).toEqual({ infected: true, signature: 'Moat.Hash.Test' });
    expect(await engine.scan(Buffer.from('fine'))).toEqual({ infected: false });
    expect(await engine.version()).toBe('hashdb 42 (1 hashes)');
  });

  it('refuses a database entry that is not a SHA-256', () => {
    expect(() => new HashDbEngine([{ sha256: 'abc', name: 'x' }], '1')).toThrow(/not a SHA-256/);
  });
});
