// The sections of the policy an administrator changes often, as forms over the policy document
// (libs/shared/policy's schema). Each field names its path in the document; the CSM validates and fills defaults.

export type FieldKind = 'number' | 'boolean' | 'select' | 'text' | 'lines';

export interface FieldSpec {
  /** Dotted path in the policy document (a column's: within its row). */
  path: string;
  label: string;
  kind: FieldKind;
  options?: readonly string[];
  hint?: string;
  /** May be left out of the document: the empty value removes the field (no default applies). */
  optional?: boolean;
}

/** A list of rules edited as a table: one row per element of the array at `path`. */
export interface RulesSpec {
  path: string;
  label: string;
  /** What one row is, in the add and remove buttons and the empty table ("rule" unless given). */
  noun?: string;
  columns: readonly FieldSpec[];
  /** The row an "Add" button appends; NAME is a name no other row has. */
  newRow: (name: string) => Record<string, unknown>;
}

export interface SectionSpec {
  id: string;
  title: string;
  intro: string;
  fields: readonly FieldSpec[];
  /** Explanation shown under the intro, one paragraph each. */
  notes?: readonly string[];
  rules?: readonly RulesSpec[];
}

const FILE_DISPOSITION = ['block', 'quarantine', 'allow'] as const;
const AUTH_ACTION = ['block', 'defer', 'quarantine', 'tag', 'pass'] as const;
const FORCED_ACTION = ['tag', 'quarantine', 'hold', 'reject', 'discard'] as const;

const authOutcome = (name: string, label: string, options: readonly string[] = AUTH_ACTION): FieldSpec => ({
  path: `smtpChecks.auth.actions.${name}`,
  label,
  kind: 'select',
  options,
});

export const SECTIONS: readonly SectionSpec[] = [
  {
    id: 'thresholds',
    title: 'Thresholds',
    intro: 'The score at which a message is tagged, quarantined or rejected. Each must be at most the next.',
    fields: [
      { path: 'thresholds.tag', label: 'Tag at score', kind: 'number' },
      { path: 'thresholds.quarantine', label: 'Quarantine at score', kind: 'number' },
      { path: 'thresholds.reject', label: 'Reject at score', kind: 'number', hint: 'Keep it above the tag threshold: at or below it, every tagged message is rejected.' },
    ],
  },
  {
    id: 'domains',
    title: 'Domains',
    intro: 'The domains this gateway accepts mail for, and the server each one’s mail is delivered to.',
    notes: [
      'TLS to the downstream: "opportunistic" uses STARTTLS when offered, whatever the certificate; "required" delivers only over TLS with a certificate valid for the TLS name (empty: the host); "none" never uses TLS. A CA bundle, a domain’s checks and delivery holds are edited in the JSON tab; its accounts and lists also on the Accounts and Lists pages.',
      'Mail for a domain that is not listed is refused: removing a domain (or the last one) asks for a confirmation before publishing.',
    ],
    fields: [],
    rules: [{
      path: 'domains',
      label: 'Domains',
      noun: 'domain',
      columns: [
        { path: 'name', label: 'Domain', kind: 'text' },
        { path: 'downstream.host', label: 'Downstream host', kind: 'text' },
        { path: 'downstream.port', label: 'Port', kind: 'number' },
        { path: 'downstream.tls', label: 'TLS', kind: 'select', options: ['opportunistic', 'required', 'none'] },
        { path: 'downstream.tlsName', label: 'TLS name', kind: 'text', optional: true },
      ],
      // Empty name and host: the CSM names both beside their cells until they are filled in.
      newRow: () => ({ name: '', downstream: { host: '', port: 25, tls: 'opportunistic' } }),
    }],
  },
  {
    id: 'lists',
    title: 'Lists',
    intro: 'Tenant-wide block and allow lists, one entry a line. Senders: an address, a domain, or .domain for its subdomains.',
    fields: [
      { path: 'lists.ipBlock', label: 'Blocked IP addresses and networks', kind: 'lines' },
      { path: 'lists.ipAllow', label: 'Allowed IP addresses and networks', kind: 'lines' },
      { path: 'lists.senderBlock', label: 'Blocked senders', kind: 'lines' },
      { path: 'lists.senderAllow', label: 'Allowed senders', kind: 'lines' },
    ],
  },
  {
    id: 'attachments',
    title: 'Attachments',
    intro: 'What happens to dangerous files. The ransomware preset blocks droppers, forged types, macros and antivirus hits at once.',
    fields: [
      { path: 'attachments.ransomware.enabled', label: 'Ransomware preset', kind: 'boolean' },
      { path: 'attachments.ransomware.action', label: 'Ransomware preset action', kind: 'select', options: ['block', 'quarantine'] },
      { path: 'attachments.blockedExtensions.seed', label: 'Block the standard dangerous extensions', kind: 'boolean' },
      { path: 'attachments.blockedExtensions.add', label: 'More blocked extensions', kind: 'lines', hint: 'One a line, without the dot (iso, img).' },
      { path: 'attachments.blockedExtensions.action', label: 'Blocked extension action', kind: 'select', options: ['block', 'quarantine'] },
      { path: 'attachments.disguisedName', label: 'Disguised file names', kind: 'select', options: FILE_DISPOSITION },
      { path: 'attachments.archives.encrypted', label: 'Encrypted archives', kind: 'select', options: FILE_DISPOSITION },
      { path: 'attachments.archives.unscannable', label: 'Archives that cannot be opened', kind: 'select', options: FILE_DISPOSITION },
      { path: 'attachments.archives.bomb', label: 'Archive bombs', kind: 'select', options: FILE_DISPOSITION },
      { path: 'attachments.antivirus.infected', label: 'Antivirus hit', kind: 'select', options: ['block', 'quarantine'] },
      { path: 'attachments.antivirus.unavailable', label: 'Antivirus unavailable', kind: 'select', options: ['tempfail', 'hold'] },
      { path: 'attachments.incomplete', label: 'Message not fully inspected', kind: 'select', options: ['quarantine', 'block'] },
    ],
  },
  {
    id: 'auth',
    title: 'Sender authentication',
    intro: 'What each SPF, DKIM, DMARC and ARC outcome does. "pass" records the symbol only; DMARC "policy" follows the sender’s own p=.',
    fields: [
      { path: 'smtpChecks.auth.enabled', label: 'Check sender authentication', kind: 'boolean' },
      authOutcome('spfFail', 'SPF fail'),
      authOutcome('spfSoftfail', 'SPF softfail'),
      authOutcome('spfNone', 'SPF none'),
      authOutcome('spfTemperror', 'SPF temporary error'),
      authOutcome('spfPermerror', 'SPF permanent error'),
      authOutcome('dkimNone', 'DKIM none (no signature)'),
      authOutcome('dkimFail', 'DKIM fail'),
      authOutcome('dkimTemperror', 'DKIM temporary error'),
      authOutcome('dkimPermerror', 'DKIM permanent error'),
      authOutcome('dmarcFail', 'DMARC fail', ['policy', ...AUTH_ACTION]),
      authOutcome('dmarcNone', 'DMARC none (no record)'),
      authOutcome('dmarcTemperror', 'DMARC temporary error'),
      authOutcome('dmarcPermerror', 'DMARC permanent error'),
      authOutcome('arcFail', 'ARC fail'),
    ],
  },
  {
    id: 'classifier',
    title: 'Classifier',
    intro: 'The statistical spam classifier. Check it on your own mail (moat scan --json) before turning it on.',
    fields: [
      { path: 'classifier.enabled', label: 'Classifier on', kind: 'boolean' },
      { path: 'classifier.spamScore', label: 'Spam score (at probability 1)', kind: 'number' },
      { path: 'classifier.hamScore', label: 'Ham score (at probability 0)', kind: 'number' },
    ],
  },
  {
    id: 'greylist',
    title: 'Greylisting',
    intro: 'A first message from an unknown client, sender and recipient gets 451 and is accepted when retried after the delay.',
    fields: [
      { path: 'smtpChecks.greylist.enabled', label: 'Greylisting on', kind: 'boolean' },
      { path: 'smtpChecks.greylist.delaySeconds', label: 'Delay (seconds)', kind: 'number' },
      { path: 'smtpChecks.greylist.retryWindowSeconds', label: 'Retry window (seconds)', kind: 'number' },
      { path: 'smtpChecks.greylist.autoAllowSeconds', label: 'Auto-allow after a retry (seconds)', kind: 'number' },
      { path: 'smtpChecks.greylist.exemptIps', label: 'Exempt IP addresses and networks', kind: 'lines' },
      { path: 'smtpChecks.greylist.exemptSenders', label: 'Exempt senders', kind: 'lines' },
    ],
  },
  {
    id: 'rates',
    title: 'Rate rules',
    intro: 'Limits on messages or recipients per key within a window; past the limit, RATE_<NAME> and a refusal.',
    fields: [],
    rules: [{
      path: 'smtpChecks.rateLimits',
      label: 'Rate rules',
      columns: [
        { path: 'name', label: 'Name', kind: 'text' },
        { path: 'key', label: 'Counted per', kind: 'select', options: ['clientIp', 'sender', 'senderDomain', 'recipientDomain', 'recipient'] },
        { path: 'limit', label: 'Limit', kind: 'number' },
        { path: 'windowSeconds', label: 'Window (seconds)', kind: 'number' },
        { path: 'action', label: 'Action', kind: 'select', options: ['tempfail', 'reject'] },
      ],
      newRow: (name) => ({ name, key: 'clientIp', limit: 100, windowSeconds: 3600, action: 'tempfail' }),
    }],
  },
  {
    id: 'regex',
    title: 'Regex filters',
    intro: 'Patterns on the subject, a header, the body or attachment names (RE2: no backreferences or lookaround).',
    fields: [{ path: 'body.regex.budgetMs', label: 'Time budget per message (ms)', kind: 'number' }],
    rules: [{
      path: 'body.regex.rules',
      label: 'Regex rules',
      columns: [
        { path: 'name', label: 'Name', kind: 'text' },
        { path: 'kind', label: 'Kind', kind: 'select', options: ['block', 'allow'] },
        { path: 'on', label: 'On', kind: 'select', options: ['subject', 'header', 'body', 'attachment'] },
        { path: 'header', label: 'Header', kind: 'text', optional: true },
        { path: 'pattern', label: 'Pattern', kind: 'text' },
        { path: 'caseSensitive', label: 'Case-sensitive', kind: 'boolean' },
        { path: 'score', label: 'Score', kind: 'number', optional: true },
        { path: 'action', label: 'Forced action', kind: 'select', options: FORCED_ACTION, optional: true },
      ],
      newRow: (name) => ({ name, kind: 'block', on: 'subject', pattern: 'example' }),
    }],
  },
  {
    id: 'dnsLists',
    title: 'DNS lists',
    intro: 'Public DNS block lists asked about the client and relay IPs, the domains of links and the sender domains. They come configured but switched off.',
    notes: [
      'Each list has terms of use: most are free only for low volumes or non-commercial use, some ask for a free registration, and Spamhaus, URIBL and others refuse queries that come through large public resolvers (8.8.8.8, 1.1.1.1...), answering with codes that mean "refused", not "listed".',
      'Name your own resolver first (a recursive resolver you run, or the one your list subscription names): a list can be switched on only while the resolver below is set. Empty means the machine’s resolver (/etc/resolv.conf), which may well be a public one.',
    ],
    fields: [{ path: 'dns.servers', label: 'Resolver in use (DNS servers)', kind: 'lines', hint: 'One a line: an IP address, IPv4:port or [IPv6]:port. Every DNS check asks it (SPF, DKIM, DMARC, reverse DNS too). Empty: the machine’s resolver, and no list may be on.' }],
    rules: [
      dnsListTable('body.dnsbl.ipLists', 'IP lists (client and relays)'),
      dnsListTable('body.dnsbl.urlLists', 'URL domain lists'),
      dnsListTable('body.dnsbl.senderLists', 'Sender domain lists'),
    ],
  },
  {
    id: 'rules',
    title: 'Rules',
    intro: 'Structural and phishing rules that need no training: odd dates and Message-IDs, addresses in display names, hidden text, disguised links, phishing wording and brands, QR codes. On by default; each symbol’s score is in the JSON tab (body.rules.scores).',
    fields: [
      { path: 'body.rules.enabled', label: 'Rules on', kind: 'boolean' },
      {
        path: 'body.rules.off',
        label: 'Rules switched off',
        kind: 'lines',
        hint: 'One a line: date_anomaly, message_id_anomaly, from_anomaly, reply_to_freemail, body_shape, hidden_text, obfuscated_links, link_categories, encoding_tricks, attachment_name_padding, bulk_mailer, credential_request, brand_impersonation, html_attachment_form, qr_code_links.',
      },
      { path: 'body.rules.pastDays', label: 'Date in the past after (days)', kind: 'number' },
      { path: 'body.rules.futureHours', label: 'Date in the future after (hours)', kind: 'number' },
    ],
  },
];

/** A table of DNS lists with their on/off switch; return codes and scores are edited in the JSON. */
function dnsListTable(path: string, label: string): RulesSpec {
  return {
    path,
    label,
    columns: [
      { path: 'enabled', label: 'On', kind: 'boolean' },
      { path: 'name', label: 'Name', kind: 'text' },
      { path: 'zone', label: 'Zone', kind: 'text' },
      { path: 'weight', label: 'Weight', kind: 'number' },
    ],
    newRow: (name) => ({ name, zone: 'bl.example.org', enabled: false, codes: [{ name: 'LISTED', address: '127.0.0.2', score: 1 }] }),
  };
}

/** A rule name not used by ROWS: RULE_1, RULE_2, ... */
export function freeRuleName(rows: readonly unknown[]): string {
  const taken = new Set(rows.map((row) => (typeof row === 'object' && row !== null ? (row as Record<string, unknown>)['name'] : undefined)));
  let n = rows.length + 1;
  while (taken.has(`RULE_${n}`)) n++;
  return `RULE_${n}`;
}
