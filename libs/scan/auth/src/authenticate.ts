import { verifyArc, type ArcOutcome } from './arc/verify.js';
import { readAuthor, type Author } from './author.js';
import { verifyDkim, type DkimOutcome } from './dkim/verify.js';
import { verifyDmarc, type DmarcOutcome } from './dmarc/verify.js';
import { readSignatures } from './library.js';
import type { DnsResolver } from './resolver.js';
import { checkSpf, type SpfOutcome, type SpfResultCode } from './spf/check-host.js';
import { authSymbol, type AuthSymbol } from './symbols.js';

export interface AuthenticateInput {
  raw: Buffer;
  clientIp: string;
  helo: string;
  /** MAIL FROM; empty for the null reverse-path */
  mailFrom: string;
  /** Our host name, for SPF's %{r} */
  receiver?: string;
}

export interface AuthenticateOptions {
  /** RSA keys shorter than this do not verify (RFC 8301) */
  minKeyBits?: number;
  /** Verify DKIM signatures of the pre-RFC 4871 drafts instead of PERMFAIL */
  acceptDraftDkim?: boolean;
  now?: Date;
}

export interface AuthResults {
  spf: SpfOutcome;
  dkim: DkimOutcome;
  arc: ArcOutcome;
  dmarc: DmarcOutcome;
  author: Author;
  symbols: AuthSymbol[];
}

const spfSymbols: Record<SpfResultCode, string> = {
  pass: 'SPF_PASS',
  fail: 'SPF_FAIL',
  softfail: 'SPF_SOFTFAIL',
  neutral: 'SPF_NEUTRAL',
  none: 'SPF_NONE',
  temperror: 'SPF_TEMPERROR',
  permerror: 'SPF_PERMERROR',
};

export function spfSymbol(spf: SpfOutcome): AuthSymbol {
  return authSymbol(spfSymbols[spf.result], `${spf.identity} ${spf.sender}: ${spf.reason}`);
}

/** SPF, DKIM, ARC and DMARC for one message, each with its symbols. */
export async function authenticate(input: AuthenticateInput, resolver: DnsResolver, options: AuthenticateOptions = {}): Promise<AuthResults> {
  const minKeyBits = options.minKeyBits ?? 1024;
  const now = options.now ?? new Date();
  const [spf, library] = await Promise.all([
    checkSpf({ ip: input.clientIp, sender: input.mailFrom, helo: input.helo, receiver: input.receiver }, resolver),
    readSignatures(input.raw, resolver, minKeyBits, now),
  ]);
  const [dkim, arc] = await Promise.all([
    verifyDkim(input.raw, library, resolver, { now, acceptDrafts: options.acceptDraftDkim }),
    verifyArc(input.raw, library, resolver, minKeyBits),
  ]);
  const author = readAuthor(input.raw);
  const dmarc = await verifyDmarc({ headerFrom: library.headerFrom, fromFields: library.fromFields, author, spf, dkim }, resolver);
  return { spf, dkim, arc, dmarc, author, symbols: [spfSymbol(spf), ...dkim.symbols, ...arc.symbols, ...dmarc.symbols, ...author.findings] };
}
