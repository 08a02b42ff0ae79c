import { describe, expect, it } from 'vitest';
import { newSecretKey, openKey, parseSecretKey, sealKey } from './key-encryption.js';

describe('key encryption', () => {
  const kek = parseSecretKey(newSecretKey(), 'test');

  it('seals a key with AES-256-GCM so that it opens only with the same key-encryption key and domain', () => {
    const sealed = sealKey(kek, '-----BEGIN PRIVATE KEY-----\nsecret\n', 'a.test');
    expect(JSON.stringify(sealed)).not.toContain('secret');
    expect(openKey(kek, sealed, 'a.test')).toBe('-----BEGIN PRIVATE KEY-----\nsecret\n');
    expect(() => openKey(kek, sealed, 'b.test')).toThrow();
    expect(() => openKey(parseSecretKey(newSecretKey(), 'other'), sealed, 'a.test')).toThrow();
    const tampered = { ...sealed, data: Buffer.from(Buffer.from(sealed.data, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64') };
    expect(() => openKey(kek, tampered, 'a.test')).toThrow();
    expect(sealKey(kek, 'same', 'a.test').iv).not.toBe(sealKey(kek, 'same', 'a.test').iv);
  });

  it('reads 32-byte keys as hex or base64 and refuses anything else without echoing it', () => {
    expect(parseSecretKey('ab'.repeat(32), 'MOAT_SECRET_KEY')).toHaveLength(32);
    expect(parseSecretKey(Buffer.alloc(32, 7).toString('base64'), 'MOAT_SECRET_KEY')).toHaveLength(32);
    for (const bad of ['short', 'ab'.repeat(31), Buffer.alloc(16).toString('base64')]) {
      expect(() => parseSecretKey(bad, 'MOAT_SECRET_KEY')).toThrow('MOAT_SECRET_KEY must be 32 bytes written as 64 hex digits or base64');
    }
  });
});
