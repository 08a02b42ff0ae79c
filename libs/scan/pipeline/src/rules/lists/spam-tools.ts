// X-Mailer / User-Agent values of mass-mailing tools used almost only for spam (case-insensitive prefixes).
// Maintained list: legitimate newsletter platforms do not belong here.
export const SPAM_MAILERS: readonly string[] = [
  'atomic mail sender',
  'avalanche',
  'bulk mailer',
  'dark mailer',
  'darkmailer',
  'emailer platinum',
  'group mail',
  'massmailer',
  'mass mailer',
  'send-safe',
  'sendblaster',
  'stealth mailer',
  'worldmerge',
  'advanced mass sender',
  'super mail sender',
  'ultimate bulk',
];
