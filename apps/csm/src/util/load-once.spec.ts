import { describe, expect, it } from 'vitest';
import { loadOnce } from './load-once.js';

describe('loadOnce', () => {
  it('shares one load between callers', async () => {
    let calls = 0;
    const get = loadOnce(async () => ++calls);
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    expect(await get()).toBe(1);
    expect(calls).toBe(1);
  });

  it('loads again after a failure, and keeps the first success', async () => {
    let calls = 0;
    const get = loadOnce(async () => {
      calls++;
      if (calls === 1) throw new Error('unreadable');
      return calls;
    });
    await expect(get()).rejects.toThrow('unreadable');
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
    expect(calls).toBe(2);
  });
});
