import type { AuditExport, DeliveryExport, ExportEvent, FindingExport, MessageExport, MessageFacts } from '@moat/bus';
import type { DeliveryEvent, MessageEvent } from '@moat/proto/grpc';
import { actionName, directionName } from '../repositories/clickhouse-rows.js';
import type { AuditEntry } from '../repositories/event-store.repository.js';

// The events the bus and the CSM produce, as the export log keeps them (@moat/bus export-event.ts). Each id is
// the event's identity, the same however often it is delivered: the export log keeps the first.

/** The message event followed by one finding per symbol that did not speak for the message (score ≥ 0). */
export function messageExports(event: MessageEvent): ExportEvent[] {
  const facts: MessageFacts = {
    messageId: event.id,
    nodeId: event.nodeId,
    direction: directionName(event.direction),
    mailFrom: event.envelope?.mailFrom ?? '',
    rcptTo: event.envelope?.rcptTo ?? [],
    clientIp: event.envelope?.clientIp ?? '',
    subject: event.headers?.subject ?? '',
    action: actionName(event.action),
    score: event.score,
  };
  const message: MessageExport = {
    id: `message:${event.id}`,
    kind: 'message',
    atMs: event.receivedAtMs,
    ...facts,
    tenant: event.tenant,
    clientHostname: event.envelope?.clientHostname ?? '',
    helo: event.envelope?.helo ?? '',
    tls: event.envelope?.tls ?? false,
    headerFrom: event.headers?.from ?? '',
    symbols: event.symbols.map((s) => s.name),
    policyVersion: event.policyVersion,
    sizeBytes: event.sizeBytes,
    smtpReply: event.smtpReply,
  };
  const findings = event.symbols.flatMap((s, n): FindingExport[] =>
    s.score < 0 ? [] : [{ id: `finding:${event.id}:${n}`, kind: 'finding', atMs: event.receivedAtMs, ...facts, symbol: s.name, symbolScore: s.score, stage: s.stage, detail: s.detail }],
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
    recipient: event.recipient,
    status,
    downstream: result?.downstream ?? '',
    response: result?.response ?? '',
    attempts,
  };
}

/** An audit entry, under the id its one insert was given. */
export function auditExport(entry: AuditEntry, id: string): AuditExport {
  return { id: `audit:${id}`, kind: 'audit', atMs: entry.atMs, admin: entry.admin, action: entry.action, target: entry.target, detail: entry.detail, ok: entry.ok };
}
