import { describe, expect, it } from 'vitest';
import { logOddsInDetail, probabilitySymbols } from './symbols.js';

describe('logOddsInDetail', () => {
  it('reads back the log-odds probabilitySymbols writes', () => {
    expect(logOddsInDetail(probabilitySymbols(0.999, 'abc', undefined, 7.5)[0].detail)).toBe(7.5);
    expect(logOddsInDetail(probabilitySymbols(0.01, 'abc', undefined, -4.123)[0].detail)).toBe(-4.12);
    expect(logOddsInDetail(probabilitySymbols(0.5, 'abc')[0].detail)).toBeUndefined();
  });
});
