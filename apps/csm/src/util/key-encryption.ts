import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealedKey } from '../repositories/config.repository.js';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** A 256-bit key written as 64 hex digits or base64; an Error naming WHERE otherwise (the value is never shown). */
export function parseSecretKey(text: string, where: string): Buffer {
  const value = text.trim();
  if (HEX_KEY.test(value)) return Buffer.from(value, 'hex');
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32 || key.toString('base64') !== value) throw new Error(`${where} must be 32 bytes written as 64 hex digits or base64`);
  return key;
}

/** A new key-encryption key, as base64. */
export function newSecretKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * Encrypts a private key (PEM) with AES-256-GCM under KEK. CONTEXT (the domain) is authenticated with it, so a
 * sealed key moved to another domain's record does not open.
 */
export function sealKey(kek: Buffer, plaintext: string, context: string): SealedKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** The plaintext of SEALED; throws when KEK or CONTEXT is not the one it was sealed with, or it was altered. */
export function openKey(kek: Buffer, sealed: SealedKey, context: string): string {
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
}
