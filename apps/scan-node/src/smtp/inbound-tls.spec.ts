import { generateKeyAndCsr, selfSignedCertificate } from '@moat/tls';
import { tlsSchema } from '@moat/policy';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureContext } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../log.js';
import { InboundTls } from './inbound-tls.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'moat-inbound-tls-'));
  dirs.push(dir);
  const own = await selfSignedCertificate('node.test', ['node.test']);
  const updates: Array<Record<string, unknown>> = [];
  const tls = new InboundTls(dir, { ...own, created: false }, tlsSchema.parse({}), quiet);
  tls.attach({ updateSecureContext: (options) => updates.push(options as Record<string, unknown>) });
  return { dir, tls, updates };
}

function sni(tls: InboundTls, name: string): Promise<SecureContext | undefined> {
  return new Promise((resolve) => tls.serverOptions().SNICallback(name, (_err, ctx) => resolve(ctx)));
}

describe('InboundTls', () => {
  it('chooses the domain certificate by exact name, then by wildcard, and keeps the set 0600 for a restart', async () => {
    const { dir, tls } = await setup();
    const exact = await selfSignedCertificate('a.test', ['a.test']);
    const wildcard = await selfSignedCertificate('*.b.test', ['*.b.test']);
    await tls.applyCertificates(
      [
        { domain: 'a.test', certificatePem: exact.cert, chainPem: '', keyPem: exact.key },
        { domain: '*.b.test', certificatePem: wildcard.cert, chainPem: '', keyPem: wildcard.key },
      ],
      'one',
    );
    expect(tls.domainNames).toEqual(['a.test', '*.b.test']);
    expect(await sni(tls, 'A.TEST')).toBeDefined();
    expect(await sni(tls, 'mx.b.test')).toBeDefined();
    expect(await sni(tls, 'b.test')).toBeUndefined();
    expect(await sni(tls, 'other.test')).toBeUndefined();
    expect((await stat(join(dir, 'tls', 'domains.json'))).mode & 0o777).toBe(0o600);

    const restarted = new InboundTls(dir, { ...exact, created: false }, tlsSchema.parse({}), quiet);
    await restarted.load();
    expect(restarted.domainNames).toEqual(['a.test', '*.b.test']);
    expect(await readFile(join(dir, 'tls', 'domains.json'), 'utf8')).toContain('"digest":"one"');
  });

  it('skips a certificate whose key does not match, and serves the rest', async () => {
    const { tls } = await setup();
    const good = await selfSignedCertificate('a.test', ['a.test']);
    const other = await generateKeyAndCsr('c.test', 'rsa');
    await tls.applyCertificates(
      [
        { domain: 'a.test', certificatePem: good.cert, chainPem: '', keyPem: good.key },
        { domain: 'c.test', certificatePem: good.cert, chainPem: '', keyPem: other.key },
      ],
      'two',
    );
    expect(tls.domainNames).toEqual(['a.test']);
  });

  it('applies the policy floor and ciphers to the default context, and keeps the old ones when OpenSSL refuses them', async () => {
    const { tls, updates } = await setup();
    expect(tls.serverOptions()).toMatchObject({ minVersion: 'TLSv1.2' });
    tls.applySettings(tlsSchema.parse({ minVersion: '1.3' }));
    expect(updates.at(-1)).toMatchObject({ minVersion: 'TLSv1.3' });
    tls.applySettings(tlsSchema.parse({ minVersion: '1.2', ciphers: 'NO-SUCH-CIPHER' }));
    expect(updates).toHaveLength(1);
    tls.applySettings(tlsSchema.parse({ minVersion: '1.2', ciphers: 'ECDHE+AESGCM' }));
    expect(updates.at(-1)).toMatchObject({ minVersion: 'TLSv1.2', ciphers: 'ECDHE+AESGCM' });
  });
});
