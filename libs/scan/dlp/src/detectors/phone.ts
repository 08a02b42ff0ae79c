import { DIGIT_END, DIGIT_START, SEP, digitsOf, type Detector } from './detector.js';

/**
 * Korean phone numbers: mobile 01[016789], Seoul 02, the regional 0[3-6][1-5] codes and 070 internet phones,
 * then 3-4 and 4 digits (010-1234-5678, 02-123-4567, 031.123.4567), also as +82 without the leading 0.
 */
export const phoneDetector: Detector = {
  kind: 'phone',
  pattern: new RegExp(String.raw`${DIGIT_START}(?:\+82${SEP}|0)(?:1[016789]|2|[3-6][1-5]|70)${SEP}\d{3,4}${SEP}\d{4}${DIGIT_END}`, 'g'),
  accept(match) {
    const digits = digitsOf(match[0]);
    return match[0].startsWith('+') ? `0${digits.slice(2)}` : digits;
  },
  mask(digits) {
    const area = digits.startsWith('02') ? 2 : 3;
    return `${digits.slice(0, area)}-${'*'.repeat(digits.length - area - 4)}-${digits.slice(-4)}`;
  },
};
