import { validBirthDate, maskRegistration, weightedRemainder } from './birth-date.js';
import { DIGIT_END, DIGIT_START, digitsOf, type Detector } from './detector.js';

/**
 * Korean resident registration number (주민등록번호): YYMMDD-SXXXXXX with S in 1-4, 9, 0, a real date, and
 * the check digit (11 - weighted sum % 11) % 10 unless `strictChecksum` is off.
 */
export const rrnDetector: Detector = {
  kind: 'rrn',
  pattern: new RegExp(String.raw`${DIGIT_START}\d{6}[ \-]?[1-490]\d{6}${DIGIT_END}`, 'g'),
  accept(match, options) {
    const digits = digitsOf(match[0]);
    if (!validBirthDate(digits)) return undefined;
    if (options.strictChecksum && (11 - weightedRemainder(digits)) % 10 !== Number(digits[12])) return undefined;
    return digits;
  },
  mask: maskRegistration,
};
