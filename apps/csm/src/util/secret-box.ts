import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from './atomic-file.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'aes256gcm:';
const KEY_TEXT = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Encrypts secrets kept at rest in the config of record (AES-256-GCM, a fresh 96-bit IV per secret). A sealed
 * value is `aes256gcm:<base64 of iv | tag | ciphertext>`; CONTEXT (e.g. the KV key) is bound as associated
 * data, so a sealed value copied to another record does not open.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /**
   * The key-encryption key: MOAT_SECRET_KEY (32 bytes, base64) or `<data>/secret.key`, generated (mode 0600)
   * when missing.
   */
  static async load(envValue: string | undefined, dataDir: string): Promise<SecretBox> {
    if (envValue) return new SecretBox(parseKey(envValue, 'MOAT_SECRET_KEY'));
    const path = join(dataDir, 'secret.key');
    try {
      return new SecretBox(parseKey((await readFile(path, 'utf8')).trim(), path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const key = randomBytes(KEY_BYTES);
    await writeFileAtomically(path, `${key.toString('base64')}\n`, 0o600);
    return new SecretBox(key);
  }

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== KEY_BYTES) throw new Error(`a secret key is ${KEY_BYTES} bytes, got ${key.length}`);
    return new SecretBox(key);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plaintext; throws when SEALED was made with another key or context, or was altered. */
  open(sealed: string, context: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('not a sealed secret');
    const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed secret too short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

function parseKey(text: string, source: string): Buffer {
  if (!KEY_TEXT.test(text)) throw new Error(`${source} must be 32 random bytes in base64 (openssl rand -base64 32)`);
  return Buffer.from(text, 'base64');
}
