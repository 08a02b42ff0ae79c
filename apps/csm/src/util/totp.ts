import { Secret, TOTP } from 'otpauth';

// RFC 6238 time-based one-time passwords (SHA-1, 6 digits, 30 s), as authenticator apps expect them.

const ISSUER = 'Moat';
/** One step either side: a code typed just before or after its 30 s boundary still counts. */
const WINDOW = 1;

/** A new random 160-bit secret, base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans. */
export function totpUri(secret: string, username: string): string {
  return totp(secret, username).toString();
}

/** The time step CODE is valid for (so a used step can be refused again), or undefined when it is not valid now. */
export function totpStep(secret: string, code: string, now = Date.now()): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const generator = totp(secret, '');
  const delta = generator.validate({ token: code, timestamp: now, window: WINDOW });
  return delta === null ? undefined : generator.counter({ timestamp: now }) + delta;
}

function totp(secret: string, username: string): TOTP {
  return new TOTP({ issuer: ISSUER, label: username, secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
}
