import { validBirthDate, maskRegistration, weightedRemainder } from './birth-date.js';
import { DIGIT_END, DIGIT_START, digitsOf, type Detector } from './detector.js';

/**
 * Foreigner registration number (외국인등록번호): YYMMDD-SXXXXXX with S in 5-8, a real date, and the
 * foreigner check digit (13 - weighted sum % 11) % 10 unless `strictChecksum` is off.
 */
export const foreignerRrnDetector: Detector = {
  kind: 'foreigner-rrn',
  pattern: new RegExp(String.raw`${DIGIT_START}\d{6}[ \-]?[5-8]\d{6}${DIGIT_END}`, 'g'),
  accept(match, options) {
    const digits = digitsOf(match[0]);
    if (!validBirthDate(digits)) return undefined;
    if (options.strictChecksum && (13 - weightedRemainder(digits)) % 10 !== Number(digits[12])) return undefined;
    return digits;
  },
  mask: maskRegistration,
};
