import type { CompiledPolicy } from './compile-policy.js';
import { Results, SEVERITY } from './results.js';
import { NO_HEADERS } from './message/parse-message.js';
import type { MessageVerdict, SmtpReply, Verdict } from './types.js';

const SCORE_REJECT_REPLY: SmtpReply = { code: 554, message: '5.7.1 message rejected by content policy' };

/**
 * The verdict over one or more result scopes (connection, transaction, recipient): the summed score against
 * the policy's thresholds picks reject, quarantine, tag or deliver, and a forced action stands when it is at
 * least as severe. So a check that forces tag or quarantine never lets a message through that its score
 * would have rejected.
 */
export function decideVerdict(scopes: readonly Results[], thresholds: CompiledPolicy['thresholds']): Verdict {
  const all = new Results();
  for (const scope of scopes) all.absorb(scope);
  const symbols = all.symbols;
  const score = roundScore(symbols.reduce((sum, s) => sum + s.score, 0));
  const byScore = scoreVerdict(score, symbols, thresholds);
  const forced = all.forced;
  if (!forced || SEVERITY[forced.action] < SEVERITY[byScore.action]) return byScore;
  return forced.reply ? { action: forced.action, score, symbols, reply: forced.reply } : { action: forced.action, score, symbols };
}

function scoreVerdict(score: number, symbols: Verdict['symbols'], thresholds: CompiledPolicy['thresholds']): Verdict {
  if (score >= thresholds.reject) return { action: 'reject', score, symbols, reply: SCORE_REJECT_REPLY };
  if (score >= thresholds.quarantine) return { action: 'quarantine', score, symbols };
  if (score >= thresholds.tag) return { action: 'tag', score, symbols };
  return { action: 'deliver', score, symbols };
}

// Sums of decimal scores pick up binary noise (0.1 + 0.2); three decimals is what anyone tunes by.
function roundScore(score: number): number {
  return Math.round(score * 1000) / 1000;
}

/** A transaction refused before its content was read: the verdict with nothing about the message. */
export function refusedMessageVerdict(verdict: Verdict): MessageVerdict {
  return { ...verdict, headers: { ...NO_HEADERS }, attachments: [], urls: [], bodyText: '', recipientDomains: [] };
}
