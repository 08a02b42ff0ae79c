import { dictionary } from '@zxcvbn-ts/language-common';
import { InvalidInputError } from '../util/errors.js';

export const MIN_PASSWORD_LENGTH = 12;
/** scrypt reads all of it: a longer "password" is only a way to make the CSM work. */
export const MAX_PASSWORD_LENGTH = 256;

/** The 30,000 most common passwords of the zxcvbn list, lower case. */
const COMMON_PASSWORDS = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/**
 * The rules a password set through the API or CLI must follow (F22): at least 12 characters, not containing the
 * account name, not a common password (also with its case changed), not one character repeated.
 */
export function checkPassword(username: string, password: unknown): string {
  if (typeof password !== 'string' || password === '') throw new InvalidInputError('password: required');
  const problems: string[] = [];
  const lower = password.toLowerCase();
  if (password.length < MIN_PASSWORD_LENGTH) problems.push(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`password: at most ${MAX_PASSWORD_LENGTH} characters`);
  // A name of one or two characters is in too many good passwords to forbid it anywhere in them.
  const name = username.toLowerCase();
  if (name.length >= 3 ? lower.includes(name) : lower === name) problems.push('password: must not contain the account name');
  if (COMMON_PASSWORDS.has(lower)) problems.push('password: is a common password');
  if (new Set(password).size === 1) problems.push('password: one character repeated');
  if (problems.length > 0) throw new InvalidInputError('the password does not follow the password rules', problems);
  return password;
}
