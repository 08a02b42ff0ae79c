import { describe, expect, it } from 'vitest';
import { paymentChangeCues, urgencyCues } from './wording.js';

describe('payment and urgency wording', () => {
  it('finds the Korean cues with or without spaces, and reports each as written', () => {
    expect(paymentChangeCues(['거래처 입금 계좌가  변경되었습니다.'])).toEqual(['입금 계좌가 변경']);
    expect(paymentChangeCues(['거래은행변경 안내'])).toEqual(['거래은행변경']);
    expect(urgencyCues(['고객님의 계정이 정지되었습니다.'])).toEqual(['계정이 정지']);
  });

  it('reads a Korean body with long runs of spaces in one pass, and still finds the real cue after them', () => {
    const junk = `계좌${' '.repeat(125_000)}가 계정${' '.repeat(125_000)}이`;
    expect(paymentChangeCues([junk])).toEqual([]);
    expect(urgencyCues([junk])).toEqual([]);
    expect(paymentChangeCues([`${junk} 입금계좌가 변경되었습니다`])).toEqual(['입금계좌가 변경']);
    expect(urgencyCues([`${junk} 계정이 정지되었습니다`])).toEqual(['계정이 정지']);
  });
});
