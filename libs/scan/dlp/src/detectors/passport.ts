import { keepHead, type Detector } from './detector.js';

/**
 * Korean passport numbers: the type letter (M multiple, S single, R travel certificate, G official,
 * D diplomatic) and 8 digits, or the format issued since December 2021: the letter, 3 digits, a letter and 4
 * digits (M123A4567). Upper case, not inside a longer run of letters and digits.
 */
export const passportDetector: Detector = {
  kind: 'passport',
  pattern: /(?<![A-Za-z0-9])[DGMRS](?:\d{8}|\d{3}[A-Z]\d{4})(?![A-Za-z0-9])/g,
  accept: (match) => match[0],
  mask: (value) => keepHead(value, 4),
};
