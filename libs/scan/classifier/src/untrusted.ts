import { withoutBlocks } from './blocks.js';

// Verdicts written by other filters upstream are untrusted input: a spammer can forge them, and in a training
// corpus they leak the label (the corpus was sorted by such filters). They are removed before tokenising so
// that no feature can ever come from them.

const UNTRUSTED_HEADERS: RegExp[] = [
  /^x-spam/, // X-Spam-Status, X-Spam-Flag, X-Spam-Level, X-Spam-Checker-Version, X-Spam-Report ...
  /^x-virus/, // X-Virus-Scanned, X-Virus-Status
  /^x-.*spam/, // X-Microsoft-Antispam, X-Forefront-Antispam-Report, X-MailScanner-SpamCheck, X-Spamadvice ...
  /^x-.*virus/,
  /^(arc-|x-original-)?authentication-results$/,
  /^received-spf$/,
  /^x-mailscanner/,
  /^x-amavis/,
  /^x-rspamd/,
  /^x-bogosity$/,
  /^x-dspam/,
  /^x-crm114/,
  /^x-ironport/,
  /^x-barracuda/,
  /^x-proofpoint/,
  /^x-ms-exchange-organization-scl$/,
  /^x-moat/, // our own verdict headers: only trusted when this node writes them, never as input
  // Written by the mail client that stored the message, not by the sender: in a corpus they record how the
  // message was filed (read/flagged/junk), which is the label itself.
  /^(x-)?status$/,
  /^x-keywords$/,
  /^x-uidl?$/,
  /^x-mozilla-status2?$/,
];

/** True when a header (lower-case name) is another filter's verdict or a mail-store artefact, never a feature. */
export function isUntrustedHeader(name: string): boolean {
  return UNTRUSTED_HEADERS.some((re) => re.test(name));
}

// Subject tags that filters prepend: "*****SPAM*****", "[SPAM]", "{Spam?}", "(SPAM)", "SPAM:".
const SUBJECT_TAG = /^\s*(\*+\s*spam\s*\*+|\[\s*spam\s*(?:\?\s*)?\]|\{\s*spam\s*(?:\?\s*)?\}|\(\s*spam\s*(?:\?\s*)?\)|spam:)\s*/i;

/** Removes spam tags that filters prepend to a subject. */
export function stripSubjectTags(subject: string): string {
  let s = subject;
  for (let m = SUBJECT_TAG.exec(s); m && m[0].length > 0; m = SUBJECT_TAG.exec(s)) s = s.slice(m[0].length);
  return s;
}

// SpamAssassin 2.x body markup and 3.x+ report_safe reports: from a start line to the first end line after it.
const SA_BLOCK_START = /^SPAM: -+ Start SpamAssassin results/gm;
const saBlockEnd = (): RegExp => /^SPAM: -+ End of SpamAssassin results.*$/gm;
const REPORT_MARKERS = [/has identified this incoming e-?mail as possible spam/i, /^Content analysis details:/m];

/** True when a text part is a filter's report about the message (e.g. SpamAssassin's report_safe wrapper). */
export function isFilterReport(text: string): boolean {
  return REPORT_MARKERS.every((re) => re.test(text));
}

/** Removes a filter's result block that was inserted into the body text. */
export function stripBodyMarkup(text: string): string {
  return text.includes('SpamAssassin results') ? withoutBlocks(text, SA_BLOCK_START, saBlockEnd) : text;
}
