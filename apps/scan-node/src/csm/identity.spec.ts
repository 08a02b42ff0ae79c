import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityFile } from './identity.js';

describe('IdentityFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-identity-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps id, secret, key and client certificate in identity.json, mode 0600', async () => {
    const file = new IdentityFile(dir);
    expect(await file.load()).toBeUndefined();
    const identity = { nodeId: 'n1', nodeSecret: 's1', key: '-----BEGIN PRIVATE KEY-----\n', certificate: '-----BEGIN CERTIFICATE-----\n' };
    await file.save(identity);
    expect(await file.load()).toEqual(identity);
    expect((await stat(join(dir, 'identity.json'))).mode & 0o777).toBe(0o600);
    await file.clear();
    expect(await file.load()).toBeUndefined();
  });

  it('reads an identity from a CSM without TLS (no certificate), and refuses a broken file', async () => {
    await writeFile(join(dir, 'identity.json'), JSON.stringify({ nodeId: 'n1', nodeSecret: 's1' }));
    expect(await new IdentityFile(dir).load()).toEqual({ nodeId: 'n1', nodeSecret: 's1' });
    await writeFile(join(dir, 'identity.json'), JSON.stringify({ nodeId: 'n1' }));
    await expect(new IdentityFile(dir).load()).rejects.toThrow(/nodeSecret/);
    expect(await readFile(join(dir, 'identity.json'), 'utf8')).toContain('n1');
  });
});
