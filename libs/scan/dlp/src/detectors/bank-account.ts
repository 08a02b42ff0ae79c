import { DIGIT_END, DIGIT_START, type Detector } from './detector.js';

/**
 * Account number layouts of the major Korean banks, as the banks print them (dash-separated groups). Several
 * banks share a layout; the detector names the layout, not the bank.
 */
export const BANK_ACCOUNT_FORMATS: ReadonlyArray<{ banks: string; groups: readonly number[] }> = [
  { banks: 'KB국민 (current), 우체국', groups: [6, 2, 6] },
  { banks: 'KB국민 (before 2001)', groups: [3, 2, 4, 3] },
  { banks: '신한 (current), 케이뱅크', groups: [3, 3, 6] },
  { banks: '신한 (old), SC제일', groups: [3, 2, 6] },
  { banks: '우리', groups: [4, 3, 6] },
  { banks: '하나', groups: [3, 6, 5] },
  { banks: 'NH농협, 부산', groups: [3, 4, 4, 2] },
  { banks: 'IBK기업', groups: [3, 6, 2, 3] },
  { banks: '카카오뱅크', groups: [4, 2, 7] },
  { banks: '토스뱅크', groups: [4, 4, 4] },
];

const LAYOUTS = BANK_ACCOUNT_FORMATS.map((f) => f.groups.map((n) => String.raw`\d{${n}}`).join('-')).join('|');

/** Korean bank account numbers in one of the banks' layouts, written with dashes (bare digit runs are too ambiguous). */
export const bankAccountDetector: Detector = {
  kind: 'bank-account',
  pattern: new RegExp(String.raw`${DIGIT_START}(?:${LAYOUTS})${DIGIT_END}`, 'g'),
  accept: (match) => match[0],
  mask: (value) => value.split('-').map((group, i) => (i === 0 ? group : '*'.repeat(group.length))).join('-'),
};
