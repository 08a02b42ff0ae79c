import { createHash, randomBytes, scrypt, timingSafeEqual, type BinaryLike } from 'node:crypto';

/** A random URL-safe secret (tokens, node secrets, generated passwords). 32 bytes unless told. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A password hashed with scrypt and a random salt; the parameters are stored so they can be raised later. */
export interface PasswordHash {
  algorithm: 'scrypt';
  salt: string;
  hash: string;
  cost: number;
}

const SCRYPT_COST = 16384;
const KEY_LENGTH = 64;

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomSecret(16);
  const hash = await scryptAsync(password, salt, SCRYPT_COST);
  return { algorithm: 'scrypt', salt, hash: hash.toString('base64'), cost: SCRYPT_COST };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await scryptAsync(password, stored.salt, stored.cost);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Hash of a high-entropy machine secret (node secrets). A plain SHA-256 is enough there: a 256-bit random
 * secret cannot be guessed, so the slow salted hash that passwords need would only cost CPU on every call.
 */
export function hashMachineSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64');
}

/** Compares two strings without leaking where they differ through timing. */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

function scryptAsync(password: BinaryLike, salt: BinaryLike, cost: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, { N: cost, r: 8, p: 1 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}
