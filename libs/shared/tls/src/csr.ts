import { generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { bitString, contextConstructed, contextPrimitive, nullValue, octetString, oid, pem, sequence, set, smallInteger, utf8String } from './der.js';

export type KeyType = 'rsa' | 'ecdsa';
export const KEY_TYPES: readonly KeyType[] = ['rsa', 'ecdsa'];

export interface KeyAndCsr {
  /** PKCS#8 PEM private key. */
  key: string;
  /** PKCS#10 PEM certificate request. */
  csr: string;
}

const OID_COMMON_NAME = '2.5.4.3';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/**
 * A new private key (RSA 2048 or ECDSA P-256) and a certificate request for DOMAIN (subject CN=DOMAIN, the
 * domain as its one subjectAltName, signed with SHA-256), to send to a certificate authority.
 */
export async function generateKeyAndCsr(domain: string, keyType: KeyType): Promise<KeyAndCsr> {
  const { privateKey, publicKey } = await newKeyPair(keyType);
  const subject = sequence(set(sequence(oid(OID_COMMON_NAME), utf8String(domain))));
  const san = sequence(contextPrimitive(2, Buffer.from(domain, 'ascii')));
  const extensions = sequence(sequence(oid(OID_SUBJECT_ALT_NAME), octetString(san)));
  const attributes = contextConstructed(0, sequence(oid(OID_EXTENSION_REQUEST), set(extensions)));
  const info = sequence(smallInteger(0), subject, publicKey.export({ type: 'spki', format: 'der' }), attributes);
  const algorithm = keyType === 'rsa' ? sequence(oid(OID_SHA256_WITH_RSA), nullValue()) : sequence(oid(OID_ECDSA_WITH_SHA256));
  const signature = sign('sha256', info, privateKey);
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    csr: pem('CERTIFICATE REQUEST', sequence(info, algorithm, bitString(signature))),
  };
}

function newKeyPair(keyType: KeyType): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject) => (err ? reject(err) : resolve({ publicKey, privateKey }));
    if (keyType === 'rsa') generateKeyPair('rsa', { modulusLength: 2048 }, done);
    else generateKeyPair('ec', { namedCurve: 'P-256' }, done);
  });
}
