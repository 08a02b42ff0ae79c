import { randomFillSync } from 'node:crypto';

// Message ids sort by time: 10 base32 characters of milliseconds since the epoch (good until year 10889), then
// 16 of randomness (80 bits), as in ULID. Crockford's alphabet keeps them safe in file names, NATS subjects and
// SMTP replies.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const random = Buffer.alloc(4096);
let randomOffset = random.length;

export function newMessageId(now = Date.now()): string {
  let id = '';
  let time = now;
  for (let i = 0; i < 10; i++) {
    id = ALPHABET[time % 32] + id;
    time = Math.floor(time / 32);
  }
  if (randomOffset + 16 > random.length) {
    randomFillSync(random);
    randomOffset = 0;
  }
  for (let i = 0; i < 16; i++) id += ALPHABET[random[randomOffset++]! & 31];
  return id;
}

export const MESSAGE_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
