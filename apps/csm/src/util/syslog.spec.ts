import type { ExportedEvent } from '@moat/bus';
import { describe, expect, it } from 'vitest';
import { syslogFrame, syslogSeverity } from './syslog.js';

const audit: ExportedEvent = { seq: 7, id: 'audit:1', kind: 'audit', atMs: Date.UTC(2026, 0, 2, 3, 4, 5, 6), admin: 'admin', action: 'policy.update', target: '3', detail: 'Grüße\nzwei Zeilen', ok: true };

describe('syslog frame', () => {
  it('counts the bytes of an RFC 5424 message carrying the event as JSON', () => {
    const frame = syslogFrame(audit, 'json', 'csm.example.test').toString();
    const [length, ...rest] = frame.split(' ');
    const message = rest.join(' ');
    expect(Number(length)).toBe(Buffer.byteLength(message));
    expect(message.startsWith('<133>1 2026-01-02T03:04:05.006Z csm.example.test moat - audit - {"seq":7,')).toBe(true);
    expect(JSON.parse(message.slice(message.indexOf('{')))).toEqual(audit);
    expect(message).not.toContain('\n');
  });

  it('carries CEF and replaces a hostname syslog cannot carry', () => {
    const message = syslogFrame(audit, 'cef', 'bad host').toString();
    expect(message).toContain(' - moat - audit - CEF:0|Moat|Moat|');
    expect(message).toContain('msg=Grüße\\nzwei Zeilen');
  });

  it('maps CEF severities to syslog severities', () => {
    expect([10, 8, 6, 3, 1].map(syslogSeverity)).toEqual([2, 3, 4, 5, 6]);
  });
});
