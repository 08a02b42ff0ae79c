const CENTURY: Readonly<Record<string, number>> = { '9': 1800, '0': 1800, '1': 1900, '2': 1900, '5': 1900, '6': 1900, '3': 2000, '4': 2000, '7': 2000, '8': 2000 };
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The first 7 digits of a (foreigner) registration number name a real date: YYMMDD and the gender digit, which
 * gives the century (9/0: 1800s, 1/2/5/6: 1900s, 3/4/7/8: 2000s).
 */
export function validBirthDate(digits: string): boolean {
  const century = CENTURY[digits[6]!];
  if (century === undefined) return false;
  const month = Number(digits.slice(2, 4));
  const day = Number(digits.slice(4, 6));
  if (month < 1 || month > 12 || day < 1 || day > MONTH_DAYS[month - 1]!) return false;
  if (month !== 2 || day !== 29) return true;
  const year = century + Number(digits.slice(0, 2));
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

/** Sum of the first 12 digits by the registration number weights, mod 11. */
export function weightedRemainder(digits: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * WEIGHTS[i]!;
  return sum % 11;
}

/** `900101-1******`: the birth date and the gender digit, never the rest. */
export function maskRegistration(digits: string): string {
  return `${digits.slice(0, 6)}-${digits[6]}******`;
}
