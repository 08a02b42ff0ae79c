import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { bitString, booleanTrue, childrenOf, contextConstructed, contextPrimitive, DerError, octetString, oid, pem, readElement, sequence, set, smallInteger, time, unsignedInteger, utf8String } from './der.js';
import { CertificateError, parsePrivateKey } from './certificate.js';

/** A certificate authority: its PEM certificate and PKCS#8 PEM private key. */
export interface CertificateAuthority {
  certificate: string;
  key: string;
}

/** A client certificate issued from a request: PEM, its serial number (hex) and its validity end. */
export interface IssuedCertificate {
  certificate: string;
  serial: string;
  notAfterMs: number;
}

const OID_COMMON_NAME = '2.5.4.3';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY_MS = 86_400_000;
const MAX_CSR_BYTES = 16 * 1024;
/** A client name is a node id: letters, digits, dots and dashes (it is also the certificate's dNSName). */
const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;

const name = (commonName: string) => sequence(set(sequence(oid(OID_COMMON_NAME), utf8String(commonName))));
const extension = (id: string, critical: boolean, value: Buffer) => sequence(oid(id), ...(critical ? [booleanTrue()] : []), octetString(value));
const ecdsaWithSha256 = () => sequence(oid(OID_ECDSA_WITH_SHA256));

/** A positive serial number of 16 random bytes. */
function newSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  return serial;
}

/** TBS signed with the CA's ECDSA key into a PEM certificate. */
function signed(tbs: Buffer, caKey: KeyObject): string {
  return pem('CERTIFICATE', sequence(tbs, ecdsaWithSha256(), bitString(sign('sha256', tbs, caKey))));
}

/**
 * A new certificate authority (ECDSA P-256, SHA-256) named COMMONNAME, valid for DAYS from NOW, that may sign only
 * end-entity certificates (basicConstraints CA, path length 0; keyCertSign and cRLSign).
 */
export function createCertificateAuthority(commonName: string, days: number, now = new Date()): CertificateAuthority {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subject = name(commonName);
  const extensions = sequence(
    extension(OID_BASIC_CONSTRAINTS, true, sequence(booleanTrue(), smallInteger(0))),
    // keyCertSign (bit 5) and cRLSign (bit 6): 0b00000110 with one unused bit.
    extension(OID_KEY_USAGE, true, Buffer.from([0x03, 0x02, 0x01, 0x06])),
  );
  const tbs = sequence(
    contextConstructed(0, smallInteger(2)),
    unsignedInteger(newSerial()),
    ecdsaWithSha256(),
    subject,
    sequence(time(now), time(new Date(now.getTime() + days * DAY_MS))),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    contextConstructed(3, extensions),
  );
  return { certificate: signed(tbs, privateKey), key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/**
 * The public key of a PKCS#10 request (PEM), after checking the request's own signature (the requester holds the
 * key). Its subject is not used: the CA names the certificate. CertificateError when it does not parse or verify.
 */
export function requestPublicKey(csrPem: string): KeyObject {
  if (csrPem.length > MAX_CSR_BYTES) throw new CertificateError(`certificate request: more than ${MAX_CSR_BYTES} bytes`);
  const base64 = /-----BEGIN CERTIFICATE REQUEST-----([A-Za-z0-9+/=\s]*)-----END CERTIFICATE REQUEST-----/.exec(csrPem)?.[1];
  if (base64 === undefined) throw new CertificateError('certificate request: no PEM block (-----BEGIN CERTIFICATE REQUEST-----)');
  try {
    const [info, algorithm, signature] = childrenOf(readElement(Buffer.from(base64, 'base64')));
    const spki = info && childrenOf(info)[2];
    const algorithmId = algorithm && childrenOf(algorithm)[0];
    if (!info || !spki || !algorithmId || signature?.tag !== 0x03) throw new DerError('not a PKCS#10 request');
    const known = [oid(OID_ECDSA_WITH_SHA256), oid(OID_SHA256_WITH_RSA)].some((id) => id.equals(algorithmId.raw));
    if (!known) throw new DerError('signed with an algorithm other than ECDSA or RSA with SHA-256');
    const key = createPublicKey({ key: spki.raw, format: 'der', type: 'spki' });
    if (!verify('sha256', info.raw, key, signature.content.subarray(1))) throw new DerError('its signature does not verify');
    return key;
  } catch (err) {
    if (err instanceof CertificateError) throw err;
    throw new CertificateError(`certificate request: ${(err as Error).message}`);
  }
}

/**
 * A TLS client certificate for CLIENTNAME (subject CN and dNSName), for the key of the request CSRPEM, signed by CA,
 * valid for DAYS from NOW (extendedKeyUsage clientAuth only, not a CA). CertificateError for a bad request or name.
 */
export function issueClientCertificate(ca: CertificateAuthority, csrPem: string, clientName: string, days: number, now = new Date()): IssuedCertificate {
  if (!CLIENT_NAME.test(clientName)) throw new CertificateError(`client name ${JSON.stringify(clientName)}: letters, digits, dots and dashes only`);
  const publicKey = requestPublicKey(csrPem);
  const caCertificate = new X509Certificate(ca.certificate);
  // The issuer is the CA's subject, byte for byte (TBSCertificate's sixth element).
  const [caTbs] = childrenOf(readElement(caCertificate.raw));
  const issuer = caTbs && childrenOf(caTbs)[5];
  if (!issuer) throw new CertificateError('CA certificate: no subject');
  const serial = newSerial();
  const notAfter = new Date(now.getTime() + days * DAY_MS);
  const extensions = sequence(
    extension(OID_BASIC_CONSTRAINTS, true, sequence()),
    // digitalSignature (bit 0): 0b10000000 with seven unused bits.
    extension(OID_KEY_USAGE, true, Buffer.from([0x03, 0x02, 0x07, 0x80])),
    extension(OID_EXT_KEY_USAGE, false, sequence(oid(OID_CLIENT_AUTH))),
    extension(OID_SUBJECT_ALT_NAME, false, sequence(contextPrimitive(2, Buffer.from(clientName, 'ascii')))),
  );
  const tbs = sequence(
    contextConstructed(0, smallInteger(2)),
    unsignedInteger(serial),
    ecdsaWithSha256(),
    issuer.raw,
    sequence(time(now), time(notAfter)),
    name(clientName),
    publicKey.export({ type: 'spki', format: 'der' }),
    contextConstructed(3, extensions),
  );
  return { certificate: signed(tbs, parsePrivateKey(ca.key)), serial: serial.toString('hex').toUpperCase(), notAfterMs: notAfter.getTime() };
}
