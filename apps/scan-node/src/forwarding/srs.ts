import { createHmac, timingSafeEqual } from 'node:crypto';

// Sender Rewriting Scheme (Shevek's SRS0/SRS1 layout): a forwarded copy's envelope sender becomes an address at
// our domain that only we can have made, so SPF at the far end checks our domain, and a bounce to it can be
// sent back to the original sender. The hash is HMAC-SHA256 under the cluster's SRS key, its first 5 bytes in
// base32 (8 characters, case-insensitive, as local parts may be case-folded on the way back).

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const DAY_MS = 86_400_000;
/** Timestamps are days modulo 1024 (two base32 characters). */
const TIMESTAMP_DAYS = 1024;
const HASH_LENGTH = 8;
const SRS0 = /^srs0[=+-]/i;
const SRS1 = /^srs1[=+-]/i;

/** `temporary`: the address may be valid, but there is no key to check it with yet. */
export type SrsReversal = { ok: true; address: string } | { ok: false; reason: string; temporary?: boolean };

/**
 * The envelope sender of a copy of mail from SENDER forwarded through DOMAIN: `SRS0=hash=tt=orig-domain=orig-local@DOMAIN`,
 * or `SRS1=hash=first-hop==...@DOMAIN` when SENDER is already an SRS address (we are a later hop). The null
 * sender stays null: bounces are never answered.
 */
export function srsForward(sender: string, domain: string, key: Buffer, nowMs = Date.now()): string {
  const at = sender.lastIndexOf('@');
  if (sender === '' || at < 0) return sender;
  const local = sender.slice(0, at);
  const host = sender.slice(at + 1);
  if (SRS0.test(local)) {
    const rest = local.slice(4);
    return `SRS1=${hash(key, host, rest)}=${host}=${rest}@${domain}`;
  }
  if (SRS1.test(local)) {
    const parts = splitSrs1(local);
    if (parts) return `SRS1=${hash(key, parts.firstHop, parts.srs0)}=${parts.firstHop}=${parts.srs0}@${domain}`;
  }
  const tt = timestamp(nowMs);
  return `SRS0=${hash(key, tt, host, local)}=${tt}=${host}=${local}@${domain}`;
}

/**
 * Whether ADDRESS (a recipient) is an SRS address, by its local part. Undefined: it is not one; otherwise the
 * address its bounce goes back to, or why it is refused (forged hash, expired timestamp, malformed).
 */
export function srsReverse(address: string, key: Buffer | undefined, maxAgeDays: number, nowMs = Date.now()): SrsReversal | undefined {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  const isSrs0 = SRS0.test(local);
  if (!isSrs0 && !SRS1.test(local)) return undefined;
  if (!key) return { ok: false, reason: 'no SRS key yet', temporary: true };
  if (isSrs0) {
    const [given, tt, host, ...rest] = local.slice(5).split('=');
    const original = rest.join('=');
    if (!given || !tt || !host || !original || !/^[A-Z2-7]{2}$/i.test(tt)) return { ok: false, reason: 'malformed SRS0 address' };
    if (!sameHash(given, hash(key, tt.toUpperCase(), host, original))) return { ok: false, reason: 'SRS hash does not verify' };
    if (ageDays(tt.toUpperCase(), nowMs) > maxAgeDays) return { ok: false, reason: `SRS address older than ${maxAgeDays} days` };
    return { ok: true, address: `${original}@${host}` };
  }
  const parts = splitSrs1(local);
  if (!parts) return { ok: false, reason: 'malformed SRS1 address' };
  if (!sameHash(parts.hash, hash(key, parts.firstHop, parts.srs0))) return { ok: false, reason: 'SRS hash does not verify' };
  return { ok: true, address: `SRS0${parts.srs0}@${parts.firstHop}` };
}

/** `SRS1=hash=first-hop==rest`: srs0 is the first hop's SRS0 local part after `SRS0` (from its `=`). */
function splitSrs1(local: string): { hash: string; firstHop: string; srs0: string } | undefined {
  const body = local.slice(5);
  const first = body.indexOf('=');
  const second = first < 0 ? -1 : body.indexOf('=', first + 1);
  if (first <= 0 || second <= first + 1 || second + 1 >= body.length) return undefined;
  return { hash: body.slice(0, first), firstHop: body.slice(first + 1, second), srs0: body.slice(second + 1) };
}

function hash(key: Buffer, ...parts: string[]): string {
  const mac = createHmac('sha256', key).update(parts.join('\0').toLowerCase()).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of mac.subarray(0, 5)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.slice(0, HASH_LENGTH);
}

function sameHash(given: string, expected: string): boolean {
  const a = Buffer.from(given.toUpperCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function timestamp(nowMs: number): string {
  const days = Math.floor(nowMs / DAY_MS) % TIMESTAMP_DAYS;
  return `${BASE32[days >> 5]}${BASE32[days & 31]}`;
}

/** How many days ago timestamp TT was made (modulo 1024 days). */
function ageDays(tt: string, nowMs: number): number {
  const then = BASE32.indexOf(tt[0]!) * 32 + BASE32.indexOf(tt[1]!);
  const today = Math.floor(nowMs / DAY_MS) % TIMESTAMP_DAYS;
  return (today - then + TIMESTAMP_DAYS) % TIMESTAMP_DAYS;
}
