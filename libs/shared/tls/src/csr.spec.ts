import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyAndCsr } from './csr.js';

const dir = mkdtempSync(join(tmpdir(), 'moat-csr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generateKeyAndCsr', () => {
  it.each(['rsa', 'ecdsa'] as const)('makes a %s key and a request openssl verifies, for the domain with its SAN', async (keyType) => {
    const { key, csr } = await generateKeyAndCsr('mail.a.test', keyType);
    const file = join(dir, `${keyType}.csr`);
    writeFileSync(file, csr);
    const text = execFileSync('openssl', ['req', '-in', file, '-noout', '-verify', '-text'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(text).toMatch(/Subject: CN\s?=\s?mail\.a\.test/);
    expect(text).toContain('DNS:mail.a.test');
    expect(text).toContain(keyType === 'rsa' ? 'Public-Key: (2048 bit)' : 'NIST CURVE: P-256');
    const pub = execFileSync('openssl', ['req', '-in', file, '-noout', '-pubkey'], { encoding: 'utf8' });
    expect(createPublicKey(pub).export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'pem' }));
  });
});
