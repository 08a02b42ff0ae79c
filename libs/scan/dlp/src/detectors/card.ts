import { DIGIT_END, DIGIT_START, digitsOf, type Detector } from './detector.js';

// Issuer identification number ranges and the lengths each network issues (ISO/IEC 7812; the networks' own
// tables). Korean domestic-only cards (BC, 9-prefixed) are 16 digits.
const NETWORKS: ReadonlyArray<{ name: string; test: (d: string) => boolean; lengths: readonly number[] }> = [
  { name: 'visa', test: (d) => d[0] === '4', lengths: [13, 16, 19] },
  { name: 'mastercard', test: (d) => inRange(d, 2, 51, 55) || inRange(d, 4, 2221, 2720), lengths: [16] },
  { name: 'amex', test: (d) => inRange(d, 2, 34, 34) || inRange(d, 2, 37, 37), lengths: [15] },
  { name: 'diners', test: (d) => inRange(d, 3, 300, 305) || inRange(d, 2, 36, 36) || inRange(d, 2, 38, 39), lengths: [14, 16, 17, 18, 19] },
  { name: 'discover', test: (d) => inRange(d, 4, 6011, 6011) || inRange(d, 3, 644, 649) || inRange(d, 2, 65, 65), lengths: [16, 17, 18, 19] },
  { name: 'jcb', test: (d) => inRange(d, 4, 3528, 3589), lengths: [16, 17, 18, 19] },
  { name: 'unionpay', test: (d) => inRange(d, 2, 62, 62), lengths: [16, 17, 18, 19] },
  { name: 'maestro', test: (d) => ['5018', '5020', '5038', '5893', '6304', '6759', '6761', '6762', '6763'].includes(d.slice(0, 4)), lengths: [13, 14, 15, 16, 17, 18, 19] },
  { name: 'korean-domestic', test: (d) => d[0] === '9', lengths: [16] },
];

function inRange(digits: string, prefixLength: number, low: number, high: number): boolean {
  const prefix = Number(digits.slice(0, prefixLength));
  return prefix >= low && prefix <= high;
}

/** The Luhn (mod 10) check over every digit, the last one being the check digit. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = Number(digits[i]);
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Payment card numbers: 13-19 digits, written whole or in groups of 4 (4-6-5 for Amex) with one kind of
 * separator (space or dash) throughout, a known issuer prefix with one of its lengths, and the Luhn check.
 */
export const cardDetector: Detector = {
  kind: 'card',
  pattern: new RegExp(String.raw`${DIGIT_START}(?:\d{13,19}|\d{4}([ \-])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ \-])\d{6}\2\d{4,5})${DIGIT_END}`, 'g'),
  accept(match) {
    const digits = digitsOf(match[0]);
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return undefined;
    return NETWORKS.some((n) => n.test(digits) && n.lengths.includes(digits.length)) ? digits : undefined;
  },
  mask: (digits) => `**** **** **** ${digits.slice(-4)}`,
};
