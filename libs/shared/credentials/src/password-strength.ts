/** The shortest password accepted for a mail account. */
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;

// Passwords found at the top of every leaked-password list, and the words they are built from; a password
// made of one of them plus digits or punctuation is refused too.
const COMMON = [
  'password', 'passw0rd', 'p@ssword', 'p@ssw0rd', 'qwerty', 'qwertyuiop', 'azerty', 'letmein', 'welcome', 'admin',
  'administrator', 'iloveyou', 'monkey', 'dragon', 'football', 'baseball', 'sunshine', 'princess', 'master',
  'shadow', 'superman', 'trustno1', 'changeme', 'secret', 'abc123', 'abcdef', 'abcdefgh', 'starwars', 'whatever',
  'login', 'hello', 'freedom', 'computer', 'internet', 'summer', 'winter', 'spring', 'autumn',
  '123456', '1234567', '12345678', '123456789', '1234567890', '0123456789', '111111', '000000', '123123', '654321',
];
const COMMON_SET = new Set(COMMON);

/**
 * Why PASSWORD may not protect ADDRESS's mail account, or undefined when it may: too short or too long, one
 * of the commonly used passwords (or one of them with digits and punctuation around it), a single repeated
 * character, or built from the address itself.
 */
export function weakPasswordReason(password: string, address: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must have at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  const core = lower.replace(/^[\d\W_]+/, '').replace(/(?<![\d\W_])[\d\W_]+$/, '');
  if (COMMON_SET.has(lower) || COMMON_SET.has(core) || /^\d+$/.test(lower)) return 'is a commonly used password';
  if (new Set(lower).size <= 2) return 'repeats too few characters';
  const email = address.toLowerCase();
  const localPart = email.slice(0, email.lastIndexOf('@'));
  const mostlyLocalPart = localPart.length >= 3 && lower.includes(localPart) && lower.length - localPart.length < 6;
  if (lower.includes(email) || core === localPart || mostlyLocalPart) {
    return 'must not be built from the account address';
  }
  return undefined;
}
