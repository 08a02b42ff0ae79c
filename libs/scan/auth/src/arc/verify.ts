import { arc } from 'mailauth/lib/arc/index.js';
import type { DKIMVerifyResult } from 'mailauth';
import { fieldsNamed, headerFields, type HeaderField } from '../header-fields.js';
import type { DnsResolver } from '../resolver.js';
import { authSymbol, type AuthSymbol } from '../symbols.js';
import { instanceOf, messageSignatureProblem } from './message-signature-tags.js';
import { sealProblem } from './seal-tags.js';

export type ArcResultCode = 'pass' | 'fail' | 'none';

export interface ArcOutcome {
  result: ArcResultCode;
  /** Instance of the newest ARC set, 0 without a chain */
  instance: number;
  reason: string;
  symbols: AuthSymbol[];
}

const symbolNames: Record<ArcResultCode, string> = { pass: 'ARC_PASS', fail: 'ARC_FAIL', none: 'ARC_NONE' };

const outcome = (result: ArcResultCode, instance: number, reason: string): ArcOutcome => ({
  result,
  instance,
  reason,
  symbols: [authSymbol(symbolNames[result], reason)],
});

/**
 * Validates the ARC chain (RFC 8617 section 5.2): malformed seals and a malformed newest
 * ARC-Message-Signature fail here, the rest is the library's validation. `library` is mailauth's DKIM pass
 * over the same message, which collects the ARC sets.
 */
export async function verifyArc(raw: Buffer, library: DKIMVerifyResult, resolver: DnsResolver, minKeyBits = 1024): Promise<ArcOutcome> {
  const fields = headerFields(raw);
  for (const seal of fieldsNamed(fields, 'ARC-Seal')) {
    const problem = sealProblem(seal.value);
    if (problem) return outcome('fail', 0, `malformed ARC-Seal: ${problem}`);
  }
  // Only the newest AMS must validate (section 5.2 step 5); older ones may have been broken by later hops.
  const newest = newestMessageSignature(fieldsNamed(fields, 'ARC-Message-Signature'));
  const amsProblem = newest && messageSignatureProblem(newest.value);
  if (newest && amsProblem) return outcome('fail', newest.instance, `malformed ARC-Message-Signature: ${amsProblem}`);
  if (!library.arc) return outcome('none', 0, 'no ARC chain');
  // A chain the library could not assemble is `false` beside the error that says why; arc() reports it.
  const validated = await arc({ ...library.arc, chain: library.arc.chain || [] }, { resolver: resolver.mailauth, minBitLength: minKeyBits });
  const result = validated.status.result === 'pass' ? 'pass' : validated.status.result === 'none' ? 'none' : 'fail';
  return outcome(result, validated.i || 0, validated.status.comment ?? result);
}

function newestMessageSignature(signatures: HeaderField[]): (HeaderField & { instance: number }) | undefined {
  let newest: (HeaderField & { instance: number }) | undefined;
  for (const signature of signatures) {
    const instance = instanceOf(signature.value);
    if (instance !== undefined && (!newest || instance > newest.instance)) newest = { ...signature, instance };
  }
  return newest;
}
