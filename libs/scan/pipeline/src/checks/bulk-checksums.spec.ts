import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { MemoryFuzzyStore, type FuzzyStore } from '../body/fuzzy-store.js';
import { reportSpam } from '../body/report-spam.js';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { bulkChecksums } from './bulk-checksums.js';

const policy = compilePolicy(parsePolicy({ body: { bulk: { low: { count: 3, score: 0.5 }, medium: { count: 5, score: 1.5 }, high: { count: 8, score: 3 }, attachment: { count: 4, score: 1 } } } }), 0);

const offer = (name: string, code: number) =>
  `From: deals@shop.test\r\nSubject: Your coupon\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n안녕하세요 ${name} 고객님, this week only every product in our online store is half price and members receive free delivery on every order. Use the code below at checkout before Sunday midnight to claim the discount, then tell your friends about the sale. Code ${code}. 감사합니다.\r\n`;

async function scan(store: FuzzyStore, raw: string) {
  return (await new Pipeline([bulkChecksums], { fuzzyStore: store }).session(policy, { clientIp: '' }).data(Buffer.from(raw))).symbols.map((s) => [s.name, s.score, s.detail]);
}

describe('bulk_checksums check', () => {
  it('climbs the bulk levels as variants of one text are seen', async () => {
    const store = new MemoryFuzzyStore();
    const seen: (string | number)[][][] = [];
    for (let i = 0; i < 8; i++) seen.push(await scan(store, offer(`Customer${'abcdefgh'[i]}`, 1000 + i)));
    expect(seen[1]).toEqual([]);
    // A changed name alters a few shingles, so a band may miss a variant: the busiest band stays close to the total.
    expect(seen.map((symbols) => symbols[0]?.[0] ?? '')).toEqual(['', '', 'BULK_LOW', 'BULK_LOW', 'BULK_MEDIUM', 'BULK_MEDIUM', 'BULK_MEDIUM', 'BULK_HIGH']);
    expect(seen[7]?.[0]).toEqual(['BULK_HIGH', 3, 'text seen 8 times in 60 min fleet-wide']);
  });

  it('counts only within the window', async () => {
    let now = 0;
    const store = new MemoryFuzzyStore(() => now);
    for (let i = 0; i < 3; i++) {
      now += 3600_000;
      expect(await scan(store, offer('A', i))).toEqual([]);
    }
  });

  it('counts attachments by hash and fires FUZZY_DENIED for reported spam', async () => {
    const store = new MemoryFuzzyStore();
    const withImage = (n: number) => `From: a@b.test\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi ${n}\r\n--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n`;
    for (let i = 0; i < 3; i++) await scan(store, withImage(i));
    expect(await scan(store, withImage(9))).toEqual([['BULK_ATTACHMENT', 1, 'attachment seen 4 times in 60 min fleet-wide']]);

    const denied = await reportSpam(store, Buffer.from(offer('Reported', 1)), 'admin report');
    expect(denied).toHaveLength(16);
    expect(await scan(store, offer('Somebody Else', 77))).toEqual([['FUZZY_DENIED', 10, expect.stringMatching(/^matches reported spam \(\d+ checksums\)$/)]]);
  });

  it('gives BULK_UNAVAILABLE and carries on when the store fails or is slow', async () => {
    const failing: FuzzyStore = { record: () => Promise.reject(new Error('NATS down')), denied: () => Promise.resolve([]), deny: () => Promise.resolve() };
    expect(await scan(failing, offer('A', 1))).toEqual([['BULK_UNAVAILABLE', 0, 'NATS down']]);
    const stalled: FuzzyStore = { record: () => new Promise(() => undefined), denied: () => Promise.resolve([]), deny: () => Promise.resolve() };
    expect(await scan(stalled, offer('A', 1))).toEqual([['BULK_UNAVAILABLE', 0, 'no answer within 300 ms']]);
  });

  it('does nothing without a store or for short texts', async () => {
    expect((await new Pipeline([bulkChecksums]).session(policy, { clientIp: '' }).data(Buffer.from(offer('A', 1)))).symbols).toEqual([]);
    const store = new MemoryFuzzyStore();
    for (let i = 0; i < 5; i++) expect(await scan(store, 'From: a@b.test\r\nSubject: s\r\n\r\nThanks!\r\n')).toEqual([]);
  });
});
