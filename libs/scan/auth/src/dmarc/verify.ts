import { dmarc } from 'mailauth/lib/dmarc/index.js';
import type { Author } from '../author.js';
import type { DkimOutcome } from '../dkim/verify.js';
import type { DnsResolver } from '../resolver.js';
import type { SpfOutcome } from '../spf/check-host.js';
import { authSymbol, type AuthSymbol } from '../symbols.js';

export type DmarcResultCode = 'pass' | 'fail' | 'none' | 'temperror' | 'permerror';

export interface DmarcOutcome {
  result: DmarcResultCode;
  /** The RFC5322.From domain the verdict is about */
  domain?: string;
  /** The policy the domain asks for on fail: none, quarantine or reject */
  policy?: string;
  reason: string;
  symbols: AuthSymbol[];
}

export interface DmarcInput {
  /** Addresses found in From header fields, as the library read them */
  headerFrom: string[];
  /** Number of From header fields */
  fromFields: number;
  /** Our own strict reading of From (readAuthor): the library's must agree with it. */
  author?: Author;
  spf: SpfOutcome;
  dkim: DkimOutcome;
}

function symbolFor(result: DmarcResultCode, policy: string | undefined): string {
  if (result !== 'fail') return { pass: 'DMARC_PASS', none: 'DMARC_NONE', temperror: 'DMARC_TEMPFAIL', permerror: 'DMARC_PERMFAIL' }[result];
  return policy === 'reject' ? 'DMARC_REJECT' : policy === 'quarantine' ? 'DMARC_QUARANTINE' : 'DMARC_FAIL_POLICY_NONE';
}

const outcome = (result: DmarcResultCode, reason: string, domain?: string, policy?: string): DmarcOutcome => ({
  result,
  domain,
  policy,
  reason,
  symbols: [authSymbol(symbolFor(result, policy), reason)],
});

/**
 * DMARC (RFC 7489) over our SPF and DKIM results. A message whose author is ambiguous (no From, several From
 * fields or several addresses, encoded, folded or route-syntax addresses, or our reading and the library's
 * differ) gets no verdict for any one of them: which one a mail client shows is not ours to guess, and a
 * pass for one would vouch for the other.
 */
export async function verifyDmarc(input: DmarcInput, resolver: DnsResolver): Promise<DmarcOutcome> {
  if (input.author?.ambiguous) return outcome('permerror', `ambiguous author: ${input.author.findings.map((f) => f.detail).join('; ')}`);
  if (input.fromFields !== 1 || input.headerFrom.length !== 1) {
    return outcome('permerror', `ambiguous author: ${input.fromFields} From fields, ${input.headerFrom.length} addresses`);
  }
  const libraryDomain = input.headerFrom[0]!.slice(input.headerFrom[0]!.lastIndexOf('@') + 1).toLowerCase();
  if (input.author && input.author.domain !== libraryDomain) {
    return outcome('permerror', `ambiguous author: read as ${input.author.domain} and as ${libraryDomain}`);
  }
  const spfDomains = input.spf.result === 'pass' && input.spf.identity === 'mailfrom' ? [input.spf.domain] : [];
  const dkimDomains = input.dkim.signatures.flatMap((signature) => (signature.result === 'pass' && signature.domain ? [{ domain: signature.domain }] : []));
  const verdict = await dmarc({ headerFrom: input.headerFrom, fromFields: input.fromFields, spfDomains, dkimDomains, resolver: resolver.mailauth });
  if (!verdict) return outcome('permerror', 'no usable author domain');
  const result = (['pass', 'fail', 'none', 'temperror', 'permerror'] as const).find((code) => code === verdict.status.result) ?? 'permerror';
  const reason = `${verdict.domain}: ${result}${result === 'fail' ? ` (p=${verdict.policy})` : ''}`;
  return outcome(result, reason, verdict.domain, verdict.policy);
}
