import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { arcSeal, DkimSigner, fromDomain } from './dkim-signer.js';

const MESSAGE = Buffer.from('From: Alice <alice@example.test>\r\nTo: carol@remote.test\r\nSubject: hi\r\n\r\nhello\r\n');

describe('DkimSigner', () => {
  it('signs with the From domain\'s key (ed25519), verifiable with the public key; none for other domains', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const signer = new DkimSigner();
    signer.replace([{ domain: 'example.test', selector: 'ed1', algorithm: 'ed25519', privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }]);
    const signature = await signer.sign(MESSAGE, 'bounce@elsewhere.test');
    expect(signature).toMatchObject({ domain: 'example.test', selector: 'ed1', algorithm: 'ed25519-sha256' });
    const header = signature!.header.toString();
    expect(header).toMatch(/^DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed\/relaxed; d=example.test;/);
    expect(header).toMatch(/\bs=ed1;/);
    const p = publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64');
    const result = await dkimVerify(Buffer.concat([signature!.header, MESSAGE]), {
      resolver: async (name: string) => (name === 'ed1._domainkey.example.test' ? [[`v=DKIM1; k=ed25519; p=${p}`]] : Promise.reject(Object.assign(new Error('nx'), { code: 'ENOTFOUND' }))),
    });
    expect(result.results[0]?.status.result).toBe('pass');

    expect(await signer.sign(Buffer.from('From: x@other.test\r\n\r\nbody\r\n'), 'x@other.test')).toBeUndefined();
    signer.replace([]);
    expect(await signer.sign(MESSAGE, 'alice@example.test')).toBeUndefined();
  });

  it('falls back to the envelope sender domain without a usable From', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const signer = new DkimSigner();
    signer.replace([{ domain: 'example.test', selector: 'ed1', algorithm: 'ed25519', privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }]);
    const signature = await signer.sign(Buffer.from('From: undisclosed\r\nSubject: x\r\n\r\nbody\r\n'), 'alice@Example.test');
    expect(signature?.domain).toBe('example.test');
  });

  it('reads the From domain of folded, named and bare fields', () => {
    expect(fromDomain(Buffer.from('Subject: x\r\nFrom: "A, B" <a@Example.TEST>\r\n\r\n'))).toBe('example.test');
    expect(fromDomain(Buffer.from('from:\r\n a@b.test\r\n\r\n'))).toBe('b.test');
    expect(fromDomain(Buffer.from('To: a@b.test\r\n\r\nFrom: c@d.test\r\n'))).toBeUndefined();
  });

  it('seals a relayed message with an ARC set: cv=none first, the validation result after an existing set, nothing when unvalidated', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const signer = new DkimSigner();
    signer.replace([{ domain: 'example.test', selector: 'ed1', algorithm: 'ed25519', privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }]);
    expect(await arcSeal(signer, MESSAGE, ['other.test'], undefined, 'mx.moat.test')).toBeUndefined();
    const first = await arcSeal(signer, MESSAGE, ['other.test', 'example.test'], undefined, 'mx.moat.test');
    expect(first).toMatchObject({ domain: 'example.test', selector: 'ed1', instance: 1, cv: 'none' });
    const header = first?.header.toString();
    expect(header).toContain('ARC-Authentication-Results: i=1; mx.moat.test; none');
    expect(header).toMatch(/ARC-Seal: i=1; a=ed25519-sha256; [^\r]*cv=none/);
    const relayed = Buffer.concat([first?.header ?? Buffer.alloc(0), MESSAGE]);
    expect(await arcSeal(signer, relayed, ['example.test'], undefined, 'mx.moat.test')).toBeUndefined();
    const second = await arcSeal(signer, relayed, ['example.test'], 'mx.moat.test;\r\n\tspf=pass smtp.mailfrom=example.test;\r\n\tarc=pass', 'mx.moat.test');
    expect(second).toMatchObject({ instance: 2, cv: 'pass' });
    expect(second?.header.toString()).toContain('ARC-Authentication-Results: i=2; mx.moat.test; spf=pass smtp.mailfrom=example.test; arc=pass');
  });
});
