import { DIGIT_END, DIGIT_START, SEP, digitsOf, type Detector } from './detector.js';

// The licensing regions, by code (11-28) and by the name printed on licences issued before 2018 in their place.
const REGION_CODES: Readonly<Record<string, string>> = {
  서울: '11', 부산: '12', 경기: '13', 경기남부: '13', 강원: '14', 충북: '15', 충남: '16', 전북: '17', 전남: '18', 경북: '19',
  경남: '20', 제주: '21', 대구: '22', 인천: '23', 광주: '24', 대전: '25', 울산: '26', 경기북부: '28',
};
// Longest names first, so that 경기북부 is not read as 경기.
const REGION_NAMES = Object.keys(REGION_CODES).sort((a, b) => b.length - a.length).join('|');
// With a numeric region the groups must be separated: 12 bare digits starting 11-28 are too common to mean a licence.
const GROUP = '[ .\\-]';

/**
 * Korean driver's licence numbers: region (code 11-28 or its Korean name), 2-digit year of issue, 6-digit
 * serial and 2 check digits (11-12-345678-90, 서울 12-345678-90), groups separated by a space, dash or dot
 * (after a region name, optionally).
 */
export const driverLicenceDetector: Detector = {
  kind: 'driver-licence',
  pattern: new RegExp(String.raw`${DIGIT_START}(?:(?:1[1-9]|2[0-8])${GROUP}\d{2}${GROUP}\d{6}${GROUP}\d{2}|(?:${REGION_NAMES})${SEP}\d{2}${SEP}\d{6}${SEP}\d{2})${DIGIT_END}`, 'gu'),
  accept(match) {
    const name = /^\p{Script=Hangul}+/u.exec(match[0])?.[0];
    const region = name ? REGION_CODES[name] : '';
    return region === undefined ? undefined : region + digitsOf(match[0]);
  },
  mask: (digits) => `${digits.slice(0, 2)}-${digits.slice(2, 4)}-******-**`,
};
