import type { AuditExport, DeliveryExport, ExportEvent, FindingExport, MessageExport, MessageFacts } from '@moat/bus';
import type { DeliveryEvent, MessageEvent } from '@moat/proto/grpc';
import { actionName, directionName } from '../repositories/clickhouse-rows.js';
import type { AuditEntry } from '../repositories/event-store.repository.js';

// The events the bus and the CSM produce, as the export log keeps them (@moat/bus export-event.ts). Each id is
// the event's identity, the same however often it is delivered: the export log keeps the first. Text fields
// are cut to MAX_TEXT characters and recipients to the first MAX_RCPTS (`rcptCount` has them all), so one
// event stays within what a SIEM takes as one syslog message (below 64 KB) whatever the mail contained.

export const MAX_TEXT = 1024;
export const MAX_RCPTS = 50;

/** TEXT cut to MAX_TEXT characters, marked with `…` when it was longer. */
export function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

/** The message event followed by one finding per symbol that did not speak for the message (score ≥ 0). */
export function messageExports(event: MessageEvent): ExportEvent[] {
  const facts: MessageFacts = {
    messageId: event.id,
    nodeId: event.nodeId,
    direction: directionName(event.direction),
    mailFrom: clip(event.envelope?.mailFrom ?? ''),
    rcptTo: (event.envelope?.rcptTo ?? []).slice(0, MAX_RCPTS).map(clip),
    rcptCount: event.envelope?.rcptTo.length ?? 0,
    clientIp: event.envelope?.clientIp ?? '',
    subject: clip(event.headers?.subject ?? ''),
    action: actionName(event.action),
    score: event.score,
    tenant: event.tenant,
  };
  const message: MessageExport = {
    id: `message:${event.id}`,
    kind: 'message',
    atMs: event.receivedAtMs,
    ...facts,
    clientHostname: clip(event.envelope?.clientHostname ?? ''),
    helo: clip(event.envelope?.helo ?? ''),
    tls: event.envelope?.tls ?? false,
    headerFrom: clip(event.headers?.from ?? ''),
    symbols: event.symbols.map((s) => clip(s.name)),
    policyVersion: event.policyVersion,
    sizeBytes: event.sizeBytes,
    smtpReply: clip(event.smtpReply),
  };
  const findings = event.symbols.flatMap((s, n): FindingExport[] =>
    s.score < 0 ? [] : [{ id: `finding:${event.id}:${n}`, kind: 'finding', atMs: event.receivedAtMs, ...facts, symbol: clip(s.name), symbolScore: s.score, stage: s.stage, detail: clip(s.detail) }],
  );
  return [message, ...findings];
}

export function deliveryExport(event: DeliveryEvent, nowMs = Date.now()): DeliveryExport {
  const result = event.result;
  const status = result?.status ?? '';
  const attempts = result?.attempts ?? 0;
  return {
    id: `delivery:${event.messageId}:${status}:${attempts}:${event.recipient}`,
    kind: 'delivery',
    atMs: result?.atMs || nowMs,
    messageId: event.messageId,
    nodeId: event.nodeId,
    recipient: clip(event.recipient),
    status,
    downstream: clip(result?.downstream ?? ''),
    response: clip(result?.response ?? ''),
    attempts,
  };
}

/** An audit entry, under the id its one insert was given. */
export function auditExport(entry: AuditEntry, id: string): AuditExport {
  return { id: `audit:${id}`, kind: 'audit', atMs: entry.atMs, admin: entry.admin, action: entry.action, target: clip(entry.target), detail: clip(entry.detail), ok: entry.ok };
}
