import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random URL-safe secret (tokens, node secrets, generated passwords). 32 bytes unless told. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
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
