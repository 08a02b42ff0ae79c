import { COMPROMISE_SIGN_SYMBOLS, type ScanSymbol } from '@moat/pipeline';
import type { CompromisePolicy } from '@moat/policy';

/** The mail to the tenant's administrator about a compromised-account sign that tripped on this transaction. */
export interface CompromiseAlert {
  to: string;
  subject: string;
  lines: string[];
}

const SIGN_NAMES = new Set(Object.values(COMPROMISE_SIGN_SYMBOLS));

/**
 * The alert for a transaction whose verdict carries a sign this node tripped (COMPROMISE_VOLUME, _NEW_DOMAINS,
 * _SPAM_SCORE: only the node that wrote the throttle or hold records one), when the policy names `alertAddress`.
 */
export function compromiseAlert(settings: CompromisePolicy, symbols: readonly ScanSymbol[], facts: { messageId: string; account: string; clientIp: string; nodeName: string }): CompromiseAlert | undefined {
  const tripped = symbols.filter((s) => SIGN_NAMES.has(s.name));
  if (!settings.alertAddress || tripped.length === 0) return undefined;
  return {
    to: settings.alertAddress,
    subject: `Moat: account ${facts.account} shows signs of compromise (${tripped.map((s) => s.name).join(', ')})`,
    lines: [
      `A compromised-account sign tripped for ${facts.account} on ${facts.nodeName}:`,
      '',
      ...tripped.map((s) => `  ${s.name}: ${s.detail}`),
      '',
      `Message id: ${facts.messageId}; client address: ${facts.clientIp}.`,
      '',
      'If the account is in its owner\'s hands, end the throttle or hold with',
      `  moat accounts unblock ${facts.account}`,
      'otherwise change its password first (moat accounts passwd).',
    ],
  };
}
