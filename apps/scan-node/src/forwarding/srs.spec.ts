import { describe, expect, it } from 'vitest';
import { srsForward, srsReverse } from './srs.js';

const key = Buffer.alloc(32, 7);
const other = Buffer.alloc(32, 8);
const now = Date.UTC(2026, 11, 7);
const DAY = 86_400_000;

describe('SRS', () => {
  it('rewrites a sender as SRS0 at our domain and reverses it to the sender', () => {
    const srs = srsForward('Dave@sender.test', 'example.test', key, now);
    expect(srs).toMatch(/^SRS0=[A-Z2-7]{8}=[A-Z2-7]{2}=sender\.test=Dave@example\.test$/);
    expect(srsReverse(srs, key, 21, now)).toEqual({ ok: true, address: 'Dave@sender.test' });
    expect(srsReverse(srs.toLowerCase(), key, 21, now)).toEqual({ ok: true, address: 'dave@sender.test' });
  });

  it('keeps = in the original local part and the null sender as it is', () => {
    const srs = srsForward('a=b@sender.test', 'example.test', key, now);
    expect(srsReverse(srs, key, 21, now)).toEqual({ ok: true, address: 'a=b@sender.test' });
    expect(srsForward('', 'example.test', key, now)).toBe('');
  });

  it('refuses a forged hash, another key, an expired address and malformed ones; ignores other addresses', () => {
    const srs = srsForward('dave@sender.test', 'example.test', key, now);
    expect(srsReverse(srs.replace(/^SRS0=.{8}/, 'SRS0=AAAAAAAA'), key, 21, now)).toEqual({ ok: false, reason: 'SRS hash does not verify' });
    expect(srsReverse(srs.replace('sender.test', 'victim.test'), key, 21, now)).toEqual({ ok: false, reason: 'SRS hash does not verify' });
    expect(srsReverse(srs, other, 21, now)).toEqual({ ok: false, reason: 'SRS hash does not verify' });
    expect(srsReverse(srs, key, 21, now + 21 * DAY)).toMatchObject({ ok: true });
    expect(srsReverse(srs, key, 21, now + 22 * DAY)).toEqual({ ok: false, reason: 'SRS address older than 21 days' });
    expect(srsReverse(srs, undefined, 21, now)).toEqual({ ok: false, reason: 'no SRS key yet', temporary: true });
    expect(srsReverse('SRS0=x@example.test', key, 21, now)).toEqual({ ok: false, reason: 'malformed SRS0 address' });
    expect(srsReverse('SRS1=x@example.test', key, 21, now)).toEqual({ ok: false, reason: 'malformed SRS1 address' });
    expect(srsReverse('srs@example.test', key, 21, now)).toBeUndefined();
    expect(srsReverse(`SRS0=${'='.repeat(50_000)}@example.test`, key, 21, now)).toEqual({ ok: false, reason: 'malformed SRS0 address' });
  });

  it('forwards an SRS0 address as SRS1 naming the first hop; its reversal is the first hop SRS0 address', () => {
    const first = srsForward('dave@sender.test', 'first.test', other, now);
    const second = srsForward(first, 'example.test', key, now);
    expect(second).toMatch(/^SRS1=[A-Z2-7]{8}=first\.test==[A-Z2-7]{8}=[A-Z2-7]{2}=sender\.test=dave@example\.test$/);
    expect(srsReverse(second, key, 21, now)).toEqual({ ok: true, address: first });
    const third = srsForward(second, 'third.test', other, now);
    expect(third).toMatch(/^SRS1=[A-Z2-7]{8}=first\.test==.*@third\.test$/);
    expect(srsReverse(third, other, 21, now)).toEqual({ ok: true, address: first });
    expect(srsReverse(second.replace('first.test', 'evil.test'), key, 21, now)).toEqual({ ok: false, reason: 'SRS hash does not verify' });
  });
});
