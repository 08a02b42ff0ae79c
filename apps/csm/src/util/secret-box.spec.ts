import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  it('opens what it sealed, only with the same key and context', () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const sealed = box.seal('private key', 'dkim.example.test.s1');
    expect(sealed).not.toContain('private key');
    expect(box.open(sealed, 'dkim.example.test.s1')).toBe('private key');
    expect(() => box.open(sealed, 'dkim.other.test.s1')).toThrow();
    expect(() => SecretBox.fromKey(randomBytes(32)).open(sealed, 'dkim.example.test.s1')).toThrow();
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => box.open(tampered, 'dkim.example.test.s1')).toThrow();
  });

  it('generates <data>/secret.key (0600) once, then reuses it; MOAT_SECRET_KEY wins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-box-'));
    const first = await SecretBox.load(undefined, dir);
    const path = join(dir, 'secret.key');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const sealed = first.seal('x', 'c');
    expect((await SecretBox.load(undefined, dir)).open(sealed, 'c')).toBe('x');
    const fromEnv = await SecretBox.load(readFileSync(path, 'utf8').trim(), join(dir, 'none'));
    expect(fromEnv.open(sealed, 'c')).toBe('x');
    await expect(SecretBox.load('short', dir)).rejects.toThrow(/MOAT_SECRET_KEY/);
  });
});
