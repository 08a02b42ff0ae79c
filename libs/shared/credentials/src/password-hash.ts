import { randomBytes, scrypt, timingSafeEqual, type BinaryLike } from 'node:crypto';

/**
 * A password hashed with scrypt and a random salt; the parameters are stored so they can be raised later.
 * The CSM makes them (admin passwords, mail account passwords) and only this form ever leaves it: scan nodes
 * receive account hashes in the policy and verify SMTP AUTH against them with the same function.
 */
export interface PasswordHash {
  algorithm: 'scrypt';
  salt: string;
  hash: string;
  cost: number;
}

const SCRYPT_COST = 16384;
const KEY_LENGTH = 64;
/** Highest cost accepted from a stored hash: a forged policy must not make each check take minutes. */
export const MAX_SCRYPT_COST = 1 << 20;

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16).toString('base64url');
  const hash = await scryptAsync(password, salt, SCRYPT_COST);
  return { algorithm: 'scrypt', salt, hash: hash.toString('base64'), cost: SCRYPT_COST };
}

/** True when PASSWORD matches STORED; runs scrypt on the libuv pool (never blocks the event loop). */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await scryptAsync(password, stored.salt, stored.cost);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function scryptAsync(password: BinaryLike, salt: BinaryLike, cost: number): Promise<Buffer> {
  // 128 * N * r bytes of memory: allow the highest accepted cost.
  const maxmem = 256 * Math.max(cost, SCRYPT_COST) * 8;
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, { N: cost, r: 8, p: 1, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}
