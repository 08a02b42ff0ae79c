import { forwardingRulesFor, type CompiledPolicy, type ScanSymbol } from '@moat/pipeline';
import { srsForward } from './srs.js';

export const FORWARDED_HEADER = 'X-Moat-Forwarded';

/** One copy to send: its envelope, the rule that made it, and where a bounce of it goes. */
export interface ForwardedCopy {
  rule: string;
  mailFrom: string;
  rcptTo: string[];
  /** The DSN address of a failed copy: the original sender when SRS stands for it, else the copy's own sender. */
  bounceTo: string;
  /** The field the copy carries on top: one more hop. */
  header: string;
}

export interface ForwardingPlan {
  /** Recipients that still get the message itself (forward-mode rules take theirs away). */
  deliverTo: string[];
  copies: ForwardedCopy[];
  /** FORWARDED per rule and recipient, FORWARD_LOOP / FORWARD_UNAVAILABLE when a copy is not made. */
  symbols: ScanSymbol[];
}

export interface ForwardingInput {
  compiled: CompiledPolicy;
  mailFrom: string;
  rcptTo: readonly string[];
  /** The message as received (its header is read for earlier hops). */
  raw: Buffer;
  srsKey: Buffer | undefined;
  nowMs?: number;
}

/**
 * What the forwarding rules make of a message that is delivered (or tagged): for each recipient, the rules that
 * match it and its sender give copies to their addresses, with the envelope sender the rule names (the original
 * sender by SRS at the recipient's domain, or `srs.domain`). A message that was already forwarded `maxHops` times
 * (X-Moat-Forwarded) or carries `maxReceived` Received fields is a loop: no copies, every recipient gets it.
 */
export function planForwarding(input: ForwardingInput): ForwardingPlan {
  const { compiled, mailFrom, rcptTo } = input;
  const settings = compiled.forwarding.settings;
  const matches = rcptTo.map((rcpt) => ({ rcpt, rules: forwardingRulesFor(compiled.forwarding, mailFrom, rcpt) })).filter((m) => m.rules.length > 0);
  if (matches.length === 0) return { deliverTo: [...rcptTo], copies: [], symbols: [] };
  const trace = traceCounts(input.raw);
  if (trace.hops >= settings.maxHops || trace.received >= settings.maxReceived) {
    const why = trace.hops >= settings.maxHops ? `forwarded ${trace.hops} times already (limit ${settings.maxHops})` : `${trace.received} Received fields (limit ${settings.maxReceived})`;
    return { deliverTo: [...rcptTo], copies: [], symbols: [symbol('FORWARD_LOOP', `not forwarded: ${why}; delivered to ${matches.map((m) => m.rcpt).join(', ')}`)] };
  }
  const receiving = new Set(rcptTo.map((r) => r.toLowerCase()));
  const removed = new Set<string>();
  const copies = new Map<string, ForwardedCopy>();
  const symbols: ScanSymbol[] = [];
  const header = `${FORWARDED_HEADER}: hops=${trace.hops + 1}; tenant=${compiled.policy.tenant.id}\r\n`;
  for (const { rcpt, rules } of matches) {
    for (const rule of rules) {
      let sender: string;
      let bounceTo: string;
      if (rule.forwardingSender.kind === 'original-sender') {
        if (!input.srsKey) {
          symbols.push(symbol('FORWARD_UNAVAILABLE', `rule ${rule.name}: no SRS key from the CSM yet; delivered to ${rcpt}`));
          continue;
        }
        sender = srsForward(mailFrom, settings.srs.domain ?? rcpt.slice(rcpt.lastIndexOf('@') + 1).toLowerCase(), input.srsKey, input.nowMs);
        bounceTo = mailFrom;
      } else {
        sender = rule.forwardingSender.kind === 'original-recipient' ? rcpt : rule.forwardingSender.address;
        bounceTo = sender;
      }
      const targets = rule.to.filter((to) => !receiving.has(to));
      // A rule that names the recipient among its own targets still delivers to it.
      if (rule.mode === 'forward' && !rule.to.includes(rcpt.toLowerCase())) removed.add(rcpt);
      symbols.push(symbol('FORWARDED', `rule ${rule.name} (${rule.mode}): ${rcpt} -> ${targets.join(', ') || 'no new recipient'}`));
      for (const to of targets) {
        receiving.add(to);
        const key = JSON.stringify([rule.name, sender]);
        const copy = copies.get(key) ?? { rule: rule.name, mailFrom: sender, rcptTo: [], bounceTo, header };
        copy.rcptTo.push(to);
        copies.set(key, copy);
      }
    }
  }
  return { deliverTo: rcptTo.filter((r) => !removed.has(r)), copies: [...copies.values()], symbols };
}

/** Hops from earlier forwards (the highest X-Moat-Forwarded hops=) and the number of Received fields. */
export function traceCounts(raw: Buffer): { hops: number; received: number } {
  const end = raw.indexOf('\r\n\r\n');
  const header = raw.toString('latin1', 0, end < 0 ? Math.min(raw.length, 1024 * 1024) : end + 2);
  let hops = 0;
  let received = 0;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0 || line.startsWith(' ') || line.startsWith('\t')) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === 'received') received++;
    else if (name === FORWARDED_HEADER.toLowerCase()) {
      const found = /\bhops=(\d{1,6})\b/.exec(line.slice(colon + 1));
      if (found) hops = Math.max(hops, Number(found[1]));
    }
  }
  return { hops, received };
}

function symbol(name: string, detail: string): ScanSymbol {
  return { name, score: 0, detail, stage: 'data' };
}
