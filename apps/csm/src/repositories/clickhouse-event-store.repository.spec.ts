import { describe, expect, it } from 'vitest';
import { pageWithoutCopies } from './clickhouse-event-store.repository.js';

describe('pageWithoutCopies', () => {
  const table = ['a', 'b', 'b', 'b', 'c', 'c', 'd', 'e'];
  const reader = (asked: number[]) => async (fetch: number) => {
    asked.push(fetch);
    return table.slice(0, fetch);
  };

  it('keeps the first row of each key and reads again, longer, when copies left the page short', async () => {
    const asked: number[] = [];
    expect(await pageWithoutCopies(reader(asked), (row) => row, 4)).toEqual(['a', 'b', 'c', 'd']);
    // 20 rows asked for at first (the page and 16 spare); the table had fewer, so once was enough.
    expect(asked).toEqual([20]);
  });

  it('returns a short page only when there are no more rows', async () => {
    expect(await pageWithoutCopies(reader([]), (row) => row, 10)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('asks again with room for more while every row it got was a copy', async () => {
    const copies = Array.from({ length: 60 }, () => 'x');
    const asked: number[] = [];
    const page = await pageWithoutCopies(
      async (fetch) => {
        asked.push(fetch);
        return [...copies, 'y', 'z'].slice(0, fetch);
      },
      (row) => row,
      2,
    );
    expect(page).toEqual(['x', 'y']);
    expect(asked).toEqual([18, 36, 72]);
  });
});
