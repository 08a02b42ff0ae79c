import type { DKIMVerifyResult } from 'mailauth';
import { fieldsNamed, headerFields } from '../header-fields.js';
import type { DnsResolver } from '../resolver.js';
import { authSymbol, type AuthSymbol } from '../symbols.js';
import { parseTagList, TagListError, withoutFws } from '../tag-list.js';
import { checkKey } from './key-record.js';
import { checkSignatureTags } from './signature-tags.js';

/** RFC 8601 section 2.7.1 results of one signature. */
export type DkimResultCode = 'pass' | 'fail' | 'neutral' | 'policy' | 'temperror' | 'permerror';

export interface DkimSignatureResult {
  result: DkimResultCode;
  domain?: string;
  selector?: string;
  identity?: string;
  algorithm?: string;
  reason: string;
}

export interface DkimOutcome {
  /** The best signature's result; none when the message has no DKIM-Signature */
  result: DkimResultCode | 'none';
  signatures: DkimSignatureResult[];
  symbols: AuthSymbol[];
}

export interface DkimOptions {
  /** Time to judge x= against (the same as given to the library) */
  now?: Date;
  /** Verify signatures of the pre-RFC 4871 drafts (no v=, v=0.5) instead of PERMFAIL */
  acceptDrafts?: boolean;
}

const preference: (DkimResultCode | 'none')[] = ['pass', 'fail', 'policy', 'neutral', 'temperror', 'permerror', 'none'];
const symbolNames: Record<DkimResultCode | 'none', string> = {
  pass: 'DKIM_PASS',
  fail: 'DKIM_FAIL',
  policy: 'DKIM_POLICY',
  neutral: 'DKIM_INVALID',
  permerror: 'DKIM_INVALID',
  temperror: 'DKIM_TEMPFAIL',
  none: 'DKIM_NONE',
};

interface LibraryVerdict {
  result: string;
  comment: string;
}

/** The library's verdict: it checks the hashes and the signature itself. */
function fromLibrary(verdict: LibraryVerdict | undefined): { result: DkimResultCode; reason: string } {
  if (!verdict) return { result: 'permerror', reason: 'signature not verifiable' };
  switch (verdict.result) {
    case 'pass':
      return { result: 'pass', reason: 'signature verified' };
    case 'fail':
      return { result: 'fail', reason: verdict.comment || 'bad signature' };
    case 'policy':
      return { result: 'policy', reason: verdict.comment || 'key too short' };
    case 'temperror':
      return { result: 'temperror', reason: verdict.comment };
    case 'neutral':
      // The key and tags were checked above, so a body that does not match its bh= is a failed
      // verification (RFC 6376 section 6.1.3), not an unprocessable signature.
      if (/body hash did not verify/.test(verdict.comment)) return { result: 'fail', reason: 'body hash did not verify' };
      return { result: 'permerror', reason: verdict.comment };
    default:
      return { result: 'permerror', reason: verdict.comment || verdict.result };
  }
}

/**
 * Verifies every DKIM-Signature: our checks of the tag grammar, the tags and the key first (where the library
 * is lenient), then the verdict of the library's cryptographic verification (`library`, see readSignatures).
 */
export async function verifyDkim(raw: Buffer, library: DKIMVerifyResult, resolver: DnsResolver, options: DkimOptions = {}): Promise<DkimOutcome> {
  const now = options.now ?? new Date();
  const headers = fieldsNamed(headerFields(raw), 'DKIM-Signature');
  if (headers.length === 0) return { result: 'none', signatures: [], symbols: [authSymbol('DKIM_NONE', 'no DKIM signature')] };
  // The library's verdicts by b= value, in header order: copies of one signature can share b= (with
  // another c=, say), so each header takes the next verdict for its b=.
  const verdicts = new Map<string, LibraryVerdict[]>();
  for (const entry of library.results) {
    const b = withoutFws(entry.signature ?? '');
    verdicts.set(b, [...(verdicts.get(b) ?? []), { result: entry.status.result, comment: entry.status.comment ?? '' }]);
  }

  const signatures: DkimSignatureResult[] = [];
  for (const header of headers) {
    let tags: Map<string, string>;
    try {
      tags = parseTagList(header.value);
    } catch (error) {
      if (!(error instanceof TagListError)) throw error;
      signatures.push({ result: 'permerror', reason: `tag list: ${error.message}` });
      continue;
    }
    const checked = checkSignatureTags(tags, Math.floor(now.getTime() / 1000), options.acceptDrafts);
    if (typeof checked === 'string') {
      signatures.push({ result: 'permerror', domain: tags.get('d'), selector: tags.get('s'), reason: checked });
      continue;
    }
    const described = { domain: checked.domain, selector: checked.selector, identity: checked.identity, algorithm: checked.algorithm };
    const keyProblem = await checkKey(checked, resolver);
    signatures.push({ ...described, ...(keyProblem ?? fromLibrary(verdicts.get(withoutFws(tags.get('b') ?? ''))?.shift())) });
  }
  const result = preference.find((code) => signatures.some((signature) => signature.result === code)) ?? 'none';
  const symbols = signatures.map((signature) =>
    authSymbol(symbolNames[signature.result], `${signature.domain ?? '?'}${signature.selector ? ` s=${signature.selector}` : ''}: ${signature.reason}`),
  );
  return { result, signatures, symbols };
}
