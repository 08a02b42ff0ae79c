import { senderMatches } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { SenderSet } from './sender-set.js';

describe('SenderSet', () => {
  const patterns = ['bob@example.com', 'spam.test', '.bulk.test'];
  const set = new SenderSet(patterns);

  it('matches like senderMatches from @moat/policy', () => {
    const addresses = ['bob@example.com', 'alice@example.com', 'x@spam.test', 'x@sub.spam.test', 'x@bulk.test', 'x@a.b.bulk.test', 'x@notbulk.test', 'x@test'];
    for (const address of addresses) {
      expect(set.has(address), address).toBe(patterns.some((p) => senderMatches(address, p)));
    }
  });

  it('is empty-safe and normalises IDN patterns', () => {
    expect(new SenderSet([]).has('a@b.test')).toBe(false);
    expect(new SenderSet(['bücher.test']).has('x@xn--bcher-kva.test')).toBe(true);
  });
});
