import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { DkimSigner, fromDomain } from './dkim-signer.js';

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
});
