import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { DKIMVerifyResult } from 'mailauth';
import type { DnsResolver } from './resolver.js';

/** One pass of the library over a message: DKIM signature checks, ARC sets and the From addresses. */
export function readSignatures(raw: Buffer, resolver: DnsResolver, minKeyBits: number, now: Date): Promise<DKIMVerifyResult> {
  return dkimVerify(raw, { resolver: resolver.mailauth, minBitLength: minKeyBits, curTime: now });
}
