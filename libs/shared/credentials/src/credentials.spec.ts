import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword, weakPasswordReason } from './index.js';

describe('password hashes', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatchObject({ algorithm: 'scrypt', cost: 16384 });
    expect(JSON.stringify(stored)).not.toContain('correct horse');
    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password here'), hashPassword('same password here')]);
    expect(a.hash).not.toBe(b.hash);
  });
});

describe('weak passwords', () => {
  it.each([
    ['short1!', 'at least 12'],
    ['password1234', 'commonly used'],
    ['!!Password2024!!', 'commonly used'],
    ['123456789012345', 'commonly used'],
    ['aaaaaaaaaaaaaaa', 'too few characters'],
    ['alicebeth@example.test', 'account address'],
    ['alicebeth2024', 'account address'],
  ])('refuses %s', (password, reason) => {
    expect(weakPasswordReason(password, 'alicebeth@example.test')).toContain(reason);
  });

  it('accepts a long, unusual password', () => {
    expect(weakPasswordReason('tide-lantern-47-orbit', 'alice@example.test')).toBeUndefined();
  });
});
