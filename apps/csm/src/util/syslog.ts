import { exportSeverity, formatEvent, type ExportedEvent, type ExportFormat } from '@moat/bus';

/** Facility local0 (16): Moat's events are the application's own, not the system's. */
const FACILITY = 16;
/** RFC 5424 HOSTNAME: printable US-ASCII without spaces, at most 255 characters; `-` when there is none. */
const HOSTNAME = /^[\x21-\x7e]{1,255}$/;

/** Syslog severity (RFC 5424) from the CEF severity 0-10. */
export function syslogSeverity(cefSeverity: number): number {
  if (cefSeverity >= 9) return 2;
  if (cefSeverity >= 7) return 3;
  if (cefSeverity >= 5) return 4;
  if (cefSeverity >= 3) return 5;
  return 6;
}

/**
 * One event as an RFC 5424 message in octet-counting framing (RFC 6587 3.4.1, RFC 5425 4.3):
 * `<len> <PRI>1 <event time> <host> moat - <kind> - <JSON, CEF or LEEF>`. The length counts bytes, so any
 * subject travels inside its frame; the message itself is one line (JSON escapes line breaks, CEF and LEEF too).
 */
export function syslogFrame(event: ExportedEvent, format: ExportFormat, hostname: string): Buffer {
  const pri = FACILITY * 8 + syslogSeverity(exportSeverity(event));
  const time = Number.isFinite(event.atMs) && event.atMs > 0 ? new Date(event.atMs).toISOString() : '-';
  const host = HOSTNAME.test(hostname) ? hostname : '-';
  const body = formatEvent(event, format);
  const message = Buffer.from(`<${pri}>1 ${time} ${host} moat - ${event.kind} - ${body}`);
  return Buffer.concat([Buffer.from(`${message.length} `), message]);
}
