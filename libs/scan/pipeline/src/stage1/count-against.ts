import type { RateRule } from '@moat/policy';
import type { ScanContext } from '../check.js';
import type { SmtpReply } from '../types.js';
import { failureText } from './exempt.js';

export interface CountedLimit {
  /** Symbol fired when the limit is exceeded, e.g. RATE_PER_SENDER or MAIL_BOMB. */
  symbol: string;
  /** Counter key within the fleet (the rule and the counted value). */
  key: string;
  /** The counted value as shown in details. */
  subject: string;
  limit: number;
  windowSeconds: number;
  action: RateRule['action'];
}

/** What a rate rule counts, in the words of its SMTP reply ("message rate of client address exceeded"). */
export const RATE_KEY_WORDS: Record<RateRule['key'], string> = {
  clientIp: 'client address',
  sender: 'sender',
  senderDomain: 'sender domain',
  recipientDomain: 'recipient domain',
  recipient: 'recipient',
};

const REPLIES: Record<RateRule['action'], (what: string) => SmtpReply> = {
  reject: (what) => ({ code: 550, message: `5.7.1 ${what} exceeded` }),
  tempfail: (what) => ({ code: 450, message: `4.7.1 ${what} exceeded, try again later` }),
};

/**
 * Counts one more against a fleet-wide limit and refuses when the count goes over it. Without reachable
 * fleet state it records <SYMBOL>_UNAVAILABLE and lets the command pass: a counter outage must not stop mail.
 */
export async function countAgainst(ctx: ScanContext, counted: CountedLimit, what: string): Promise<void> {
  const fleet = ctx.options.fleetState;
  if (!fleet) return;
  let count: number;
  try {
    count = await fleet.counters.hit(counted.key, counted.windowSeconds);
  } catch (error) {
    ctx.results.add(`${counted.symbol}_UNAVAILABLE`, 0, failureText(error));
    return;
  }
  if (count <= counted.limit) return;
  ctx.results.add(counted.symbol, 0, `${counted.subject}: ${count} in ${counted.windowSeconds} s (limit ${counted.limit})`);
  const reply = REPLIES[counted.action](what);
  if (counted.action === 'reject') ctx.results.reject(reply);
  else ctx.results.tempfail(reply);
}
