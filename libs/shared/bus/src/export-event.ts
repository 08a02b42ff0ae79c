import { readFileSync } from 'node:fs';

// Events as Moat exports them to a SIEM (GET /api/events, syslog push, `moat events tail`): one JSON object per
// event, and its CEF rendering. Field names are a contract (docs/architecture.md, "Event export").

/** Moat's version (the workspace packages are released together), the CEF Device Version. */
export const MOAT_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** How an event is written out: JSON (its fields as below), CEF or LEEF. */
export const EXPORT_FORMATS = ['json', 'cef', 'leef'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The event in FORMAT, as one line. */
export function formatEvent(event: ExportRecord, format: ExportFormat): string {
  if (format === 'cef') return formatCef(event);
  if (format === 'leef') return formatLeef(event);
  return JSON.stringify(event);
}

export const EXPORT_KINDS = ['message', 'finding', 'delivery', 'audit', 'node'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

type ExportBase = {
  /** Unique per event and stable across redeliveries: `message:<message id>`, `finding:<message id>:<n>`, ... */
  id: string;
  kind: ExportKind;
  /** When it happened (milliseconds since the epoch). */
  atMs: number;
};

/** What a message and each of its findings share: who sent what to whom, and the verdict. */
export type MessageFacts = {
  messageId: string;
  nodeId: string;
  direction: string;
  mailFrom: string;
  /** The first 50 recipients (`rcptCount`: all of them). */
  rcptTo: string[];
  rcptCount: number;
  clientIp: string;
  subject: string;
  action: string;
  score: number;
  /** The tenant the message belongs to (F18). */
  tenant: string;
};

/** One per SMTP transaction with a verdict. */
export type MessageExport = ExportBase & MessageFacts & {
  kind: 'message';
  clientHostname: string;
  helo: string;
  tls: boolean;
  headerFrom: string;
  /** Every symbol the message got, in order. */
  symbols: string[];
  policyVersion: number;
  sizeBytes: number;
  smtpReply: string;
};

/** One per security finding (a symbol that did not speak for the message): the security log of F15. */
export type FindingExport = ExportBase & MessageFacts & {
  kind: 'finding';
  symbol: string;
  /** The symbol's own score (the message's total is `score`). */
  symbolScore: number;
  stage: string;
  detail: string;
};

/** One per change of a recipient's delivery state. */
export type DeliveryExport = ExportBase & {
  kind: 'delivery';
  messageId: string;
  nodeId: string;
  recipient: string;
  status: string;
  downstream: string;
  response: string;
  attempts: number;
};

/** One per audit entry (administrator and node actions). */
export type AuditExport = ExportBase & {
  kind: 'audit';
  admin: string;
  action: string;
  target: string;
  detail: string;
  ok: boolean;
};

/** A scan node came up (heartbeats again) or went down (no heartbeat for 15 s). */
export type NodeExport = ExportBase & {
  kind: 'node';
  nodeId: string;
  nodeName: string;
  state: 'up' | 'down';
  smtpAddress: string;
  lastHeartbeatMs: number;
};

export type ExportEvent = MessageExport | FindingExport | DeliveryExport | AuditExport | NodeExport;

/** An event as read from the export log: with its position, which is also the cursor that follows it. */
export type ExportedEvent = ExportEvent & { seq: number };

/** Any exported event as JSON gives it back: CEF is rendered from the fields it finds, so unknown kinds still print. */
export type ExportRecord = { seq: number; id: string; kind: string; atMs: number } & Record<string, unknown>;

const MESSAGE_SEVERITY: Record<string, number> = { reject: 8, quarantine: 7, hold: 6, discard: 5, tag: 5, tempfail: 4, deliver: 2 };
const FAILED_DELIVERY = new Set(['bounced', 'failed', 'expired']);

/** CEF severity 0-10 of an event (the syslog severity follows from it). */
export function exportSeverity(event: ExportRecord): number {
  switch (event.kind) {
    case 'message':
      return MESSAGE_SEVERITY[text(event, 'action')] ?? 3;
    case 'finding':
      return Math.min(10, Math.max(1, Math.round(number(event, 'symbolScore'))));
    case 'delivery':
      return FAILED_DELIVERY.has(text(event, 'status')) ? 5 : 2;
    case 'audit':
      return event.ok === false ? 6 : 3;
    case 'node':
      return text(event, 'state') === 'down' ? 7 : 2;
    default:
      return 3;
  }
}

/** The value that names the event within its kind: the verdict, symbol, delivery status, audit action or node state. */
function subkind(event: ExportRecord): string {
  const field = { message: 'action', finding: 'symbol', delivery: 'status', audit: 'action', node: 'state' }[event.kind];
  return field ? text(event, field) : '';
}

/**
 * The event as one CEF line: `CEF:0|Moat|Moat|<version>|<kind>:<subkind>|<name>|<severity>|<extension>`. Header
 * fields escape `\` and `|`, extension values `\`, `=` and line breaks (as `\n`, `\r`); other control
 * characters become spaces, so no subject, name or detail can end the line or forge a field.
 */
export function formatCef(event: ExportRecord, version = MOAT_VERSION): string {
  const sub = subkind(event);
  const header = ['CEF:0', 'Moat', 'Moat', version, `${event.kind}:${sub}`, `${event.kind} ${sub}`.trim(), String(exportSeverity(event))];
  const ext: [string, unknown][] = [
    ['rt', event.atMs],
    ['externalId', event.id],
    ['cn1Label', 'seq'],
    ['cn1', event.seq],
    ['cs1Label', 'kind'],
    ['cs1', event.kind],
  ];
  if (event.kind === 'message' || event.kind === 'finding') {
    ext.push(
      ['cs2Label', 'messageId'],
      ['cs2', event.messageId],
      ['dvchost', event.nodeId],
      ['src', event.clientIp],
      ['suser', event.mailFrom],
      ['duser', list(event.rcptTo)],
      ['msg', event.subject],
      ['act', event.action],
      ['cfp1Label', 'score'],
      ['cfp1', event.score],
    );
    if (event.kind === 'finding') ext.push(['cs3Label', 'detail'], ['cs3', event.detail], ['cs4Label', 'stage'], ['cs4', event.stage], ['cfp2Label', 'symbolScore'], ['cfp2', event.symbolScore]);
  } else if (event.kind === 'delivery') {
    ext.push(['cs2Label', 'messageId'], ['cs2', event.messageId], ['dvchost', event.nodeId], ['duser', event.recipient], ['outcome', event.status], ['msg', event.response], ['cs3Label', 'downstream'], ['cs3', event.downstream], ['cn2Label', 'attempts'], ['cn2', event.attempts]);
  } else if (event.kind === 'audit') {
    ext.push(['suser', event.admin], ['act', event.action], ['cs3Label', 'target'], ['cs3', event.target], ['msg', event.detail], ['outcome', event.ok === false ? 'failure' : 'success']);
  } else if (event.kind === 'node') {
    ext.push(['cs2Label', 'nodeId'], ['cs2', event.nodeId], ['dvchost', event.nodeName], ['outcome', event.state], ['cs3Label', 'smtpAddress'], ['cs3', event.smtpAddress]);
  }
  const extension = ext
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeCefValue(scalar(value))}`)
    .join(' ');
  return `${header.map(escapeCefHeader).join('|')}|${extension}`;
}

/**
 * The event as one LEEF 2.0 line: `LEEF:2.0|Moat|Moat|<version>|<kind>:<subkind>|^|<attributes>`, `key=value`
 * attributes separated by `^`: `devTime` (atMs), `cat` (kind), `sev` (1-10), `src` (client IP, when there is
 * one), then every field of the event by its JSON name (lists comma-separated). `^` rather than LEEF's default
 * tab, which syslog relays rewrite (rsyslog: `#011`). Header fields escape `\` and `|` as CEF does; in values,
 * `^`, line breaks and other control characters become spaces (LEEF has no escape for them).
 */
export function formatLeef(event: ExportRecord, version = MOAT_VERSION): string {
  const sub = subkind(event);
  const header = ['LEEF:2.0', 'Moat', 'Moat', version, `${event.kind}:${sub}`].map(escapeCefHeader);
  const attributes: [string, unknown][] = [
    ['devTime', event.atMs],
    ['cat', event.kind],
    ['sev', Math.max(1, exportSeverity(event))],
  ];
  if (text(event, 'clientIp')) attributes.push(['src', event.clientIp]);
  for (const [key, value] of Object.entries(event)) if (key !== 'atMs' && key !== 'kind') attributes.push([key, value]);
  const values = attributes.map(([key, value]) => `${key}=${leefValue(Array.isArray(value) ? list(value) : scalar(value))}`);
  return `${header.join('|')}|^|${values.join('^')}`;
}

function leefValue(value: string): string {
  return value.replace(/[\^\p{Cc}]/gu, ' ');
}

/** A CEF header field: `\` and `|` escaped, line breaks and other control characters as spaces. */
export function escapeCefHeader(value: string): string {
  return value.replace(/[\\|\p{Cc}]/gu, (c) => (c === '\\' || c === '|' ? `\\${c}` : ' '));
}

/** A CEF extension value: `\`, `=` escaped, CR and LF as `\r` and `\n`, other control characters as spaces. */
export function escapeCefValue(value: string): string {
  return value.replace(/[\\=\p{Cc}]/gu, (c) => {
    if (c === '\\' || c === '=') return `\\${c}`;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    return ' ';
  });
}

function text(event: ExportRecord, field: string): string {
  const value = event[field];
  return typeof value === 'string' ? value : '';
}

function number(event: ExportRecord, field: string): number {
  const value = event[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function list(value: unknown): string {
  return Array.isArray(value) ? value.map(scalar).join(',') : scalar(value);
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined || value === null ? '' : JSON.stringify(value);
}
