export { createResolver, DnsError, isQueryableName, type DnsAnswers, type DnsRecordType, type DnsResolver, type ResolverOptions, type ResolverStats } from './resolver.js';
export { checkSpf, type SpfOutcome, type SpfQuery, type SpfResultCode } from './spf/check-host.js';
export { verifyDkim, type DkimOptions, type DkimOutcome, type DkimResultCode, type DkimSignatureResult } from './dkim/verify.js';
export { verifyArc, type ArcOutcome, type ArcResultCode } from './arc/verify.js';
export { verifyDmarc, type DmarcInput, type DmarcOutcome, type DmarcResultCode } from './dmarc/verify.js';
export { readSignatures } from './library.js';
export { authenticate, spfSymbol, type AuthenticateInput, type AuthenticateOptions, type AuthResults } from './authenticate.js';
export { authSymbol, type AuthSymbol } from './symbols.js';
