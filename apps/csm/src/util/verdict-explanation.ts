import type { ActionName, MailSymbol } from '../repositories/event-store.repository.js';

/** Thresholds as the policy has them: a score at or above one takes its action. */
export interface Thresholds {
  tag: number;
  quarantine: number;
  reject: number;
}

export interface VerdictExplanation {
  /** The action the score alone gives under the message's policy version. */
  byScore: ActionName;
  /** True when a finding with its own disposition made the action more severe than the score's. */
  forced: boolean;
  /** The findings that can act on their own (dispositions, refusals) among the message's symbols, when forced. */
  forcedBy: string[];
  /** One sentence for the administrator. */
  summary: string;
}

const SEVERITY: Record<ActionName, number> = { unspecified: 0, deliver: 0, tag: 1, hold: 2, quarantine: 2, tempfail: 3, discard: 3, reject: 4 };

// Symbol families (docs/architecture.md, libs/scan/pipeline/API.md): a prefix or a name, what the symbol means,
// and whether the finding can decide the action by itself (a disposition or a refusal) rather than by its score.
const MEANINGS: { match: string; meaning: string; acts?: boolean }[] = [
  { match: 'IP_ALLOWLIST', meaning: 'The client address is on an allow list; later block lists were skipped.' },
  { match: 'IP_BLOCKLIST', meaning: 'The client address is on a block list; the connection was refused.', acts: true },
  { match: 'SENDER_ALLOWLIST', meaning: 'The sender is on an allow list; sender block lists were skipped.' },
  { match: 'SENDER_BLOCKLIST', meaning: 'The sender is on a block list; the message was refused.', acts: true },
  { match: 'MAIL_FROM_SYNTAX', meaning: 'The envelope sender is malformed or too long.', acts: true },
  { match: 'RCPT_SYNTAX', meaning: 'A recipient address is malformed or too long.', acts: true },
  { match: 'RELAY_DENIED', meaning: 'A recipient is not in a domain this gateway serves (no open relay).', acts: true },
  { match: 'RCPT_UNKNOWN', meaning: 'A recipient is not a known account of its domain.', acts: true },
  { match: 'RDNS_', meaning: "Reverse DNS of the client: missing, not confirmed forward, or a generic (dial-up style) name." },
  { match: 'RATE_', meaning: 'The client, sender or recipient exceeded a rate rule.', acts: true },
  { match: 'GREYLIST_', meaning: 'Greylisting: a first attempt from an unknown client is deferred, a retry passes.', acts: true },
  { match: 'MAIL_BOMB', meaning: 'Too many messages to one recipient in a short time.', acts: true },
  { match: 'SPF_', meaning: "SPF: whether the client may send for the envelope sender's domain." },
  { match: 'DKIM_', meaning: 'DKIM: whether the message carries a valid signature of a domain.' },
  { match: 'DMARC_', meaning: "DMARC: whether the From domain's policy is met by an aligned SPF or DKIM pass." },
  { match: 'ARC_SEALED', meaning: "A forwarded copy left with an ARC set signed with the tenant domain's key (RFC 8617)." },
  { match: 'ARC_', meaning: 'ARC: the authentication results a forwarder sealed into the message.' },
  { match: 'FROM_', meaning: 'The From header as a mail client shows it (several addresses, a display name that looks like another address).' },
  { match: 'AUTH_POLICY', meaning: "The action the policy takes for the message's authentication outcome.", acts: true },
  { match: 'AV_UNAVAILABLE', meaning: 'The antivirus engine did not answer; the message was judged without it.' },
  { match: 'AV_', meaning: 'The antivirus engine or the hash list found malware in an attachment.', acts: true },
  { match: 'ARCHIVE_', meaning: 'An archive is encrypted, could not be scanned, or holds a path that escapes its folder.', acts: true },
  { match: 'ATTACHMENT_', meaning: 'An attachment has a blocked type or extension, is executable, or is not what its name says.', acts: true },
  { match: 'DOUBLE_EXT', meaning: 'An attachment name hides its real extension behind another (invoice.pdf.exe).', acts: true },
  { match: 'HWP_SCRIPT', meaning: 'A Hangul (HWP) document carries a script.', acts: true },
  { match: 'INSPECTION_STOPPED', meaning: 'Reading the message exceeded its time or memory budget; it was not delivered as clean.', acts: true },
  { match: 'CONTENT_INCOMPLETE', meaning: 'Part of the content could not be read; it was not delivered as clean.', acts: true },
  { match: 'MIME_PARSE_ERROR', meaning: 'The MIME structure is broken; the checks saw only what came before the damage.' },
  { match: 'URL_LIMIT', meaning: 'More than 1000 distinct links; only the first 1000 were checked.' },
  { match: 'HEADER_DUPLICATE', meaning: 'A header that must appear once (From, Subject, Date) appears more than once.' },
  { match: 'CHECK_ERROR', meaning: 'A check failed; the message was deferred rather than passed unchecked.', acts: true },
  { match: 'RBL_', meaning: 'The client or a relay it names is on a DNS block list.' },
  { match: 'URIBL_', meaning: 'A link in the message points to a domain on a URL block list.' },
  { match: 'DBL_', meaning: "The sender's, From or Reply-To domain is on a domain block list." },
  { match: 'BULK_UNAVAILABLE', meaning: 'The fleet-wide bulk counts could not be read; judged without them.' },
  { match: 'BULK_', meaning: 'The same content was seen many times across the fleet (bulk mail).' },
  { match: 'FUZZY_DENIED', meaning: 'The content matches mail an administrator reported as spam.' },
  { match: 'BAYES_', meaning: 'The statistical classifier judged the text as spam or as legitimate mail.' },
  { match: 'PHISH_LINK_MISMATCH', meaning: 'A link shows one address and leads to another.' },
  { match: 'PHISH_LOOKALIKE_DOMAIN', meaning: "A domain imitates one of the organisation's own or a well-known one." },
  { match: 'PHISH_EXEC_IMPERSONATION', meaning: "The display name is an executive's while the address is from outside." },
  { match: 'PHISH_PAYMENT_CHANGE', meaning: 'The text asks to change payment or bank details.' },
  { match: 'PHISH_URGENCY', meaning: 'The text presses for urgent action, as phishing does.' },
  { match: 'KR_AD_MARKER', meaning: 'Korean advertising mail without the legally required (광고) marker, or with a malformed one.' },
  { match: 'REGEX_TIMEOUT', meaning: "An administrator's pattern filter ran out of time on this message." },
  { match: 'REGEX_', meaning: "An administrator's pattern filter matched." },
  { match: 'DLP_TRUNCATED', meaning: 'Data loss prevention: a text limit left part of the message unscanned.' },
  { match: 'DLP_', meaning: 'Data loss prevention: the message carries personal data (masked count and examples); a rule may hold or refuse it.', acts: true },
  { match: 'APPROVAL_RULE', meaning: 'An outbound approval rule matched (its name and what matched): the message waits for an approver.', acts: true },
  { match: 'COMPROMISE_THROTTLED', meaning: "A compromised-account sign throttled the sending account: its mail is refused for a while (451 4.7.1).", acts: true },
  { match: 'COMPROMISE_HELD', meaning: "A compromised-account sign put the sending account on hold: its mail waits for an approver until an administrator clears it.", acts: true },
  { match: 'COMPROMISE_ALERT', meaning: 'The alert mail to the administrator about a compromised-account sign.' },
  { match: 'COMPROMISE_VOLUME', meaning: 'Compromised-account sign: the account sent far more than its usual hourly volume.', acts: true },
  { match: 'COMPROMISE_NEW_DOMAINS', meaning: 'Compromised-account sign: the account wrote to many domains it never sent to before.', acts: true },
  { match: 'COMPROMISE_SPAM_SCORE', meaning: 'Compromised-account sign: several of the account\'s messages scored as spam within an hour.', acts: true },
  { match: '_UNAVAILABLE', meaning: 'Shared fleet state was unreachable; the check let the message through.' },
];

/** A sentence saying what SYMBOL means; a generic one for symbols this CSM does not know. */
export function symbolMeaning(symbol: string): string {
  return findMeaning(symbol)?.meaning ?? 'A check fired; its detail says what it found.';
}

function findMeaning(symbol: string) {
  return MEANINGS.find((m) => (m.match.endsWith('_') ? symbol.startsWith(m.match) : m.match.startsWith('_') ? symbol.endsWith(m.match) : symbol === m.match || symbol.startsWith(`${m.match}_`)));
}

/** The action a score takes under THRESHOLDS (inclusive, as the pipeline decides). */
export function actionByScore(score: number, thresholds: Thresholds): ActionName {
  if (score >= thresholds.reject) return 'reject';
  if (score >= thresholds.quarantine) return 'quarantine';
  if (score >= thresholds.tag) return 'tag';
  return 'deliver';
}

/** Why the message got ACTION: the score under the thresholds, or the findings that forced a more severe action. */
export function explainVerdict(action: ActionName, score: number, symbols: MailSymbol[], thresholds: Thresholds): VerdictExplanation {
  const byScore = actionByScore(score, thresholds);
  const forced = SEVERITY[action] > SEVERITY[byScore];
  const forcedBy = forced ? symbols.filter((s) => findMeaning(s.name)?.acts).map((s) => s.name) : [];
  const range = `tag ${thresholds.tag}, quarantine ${thresholds.quarantine}, reject ${thresholds.reject}`;
  const summary = forced
    ? `${action} forced by ${forcedBy.length ? forcedBy.join(', ') : 'a rule of the policy'}; the score ${score} alone would ${byScore === 'deliver' ? 'deliver' : byScore} (${range})`
    : `${action} by score ${score} (${range})`;
  return { byScore, forced, forcedBy, summary };
}
