import { Action, Direction, type DeliveryEvent, type MessageEvent } from '@moat/proto/grpc';
import type { ActionName, AuditEntry, DirectionName } from './event-store.repository.js';

// Mapping between the protobuf events and the ClickHouse rows (JSONEachRow objects keyed by column name).

/** At most this much of a message's text is stored for the body search, whatever a node sends (proto: body_text). */
const BODY_TEXT_MAX = 16_384;

const DIRECTIONS: Record<number, DirectionName> = {
  [Direction.DIRECTION_INBOUND]: 'inbound',
  [Direction.DIRECTION_OUTBOUND]: 'outbound',
};

const ACTIONS: Record<number, ActionName> = {
  [Action.ACTION_DELIVER]: 'deliver',
  [Action.ACTION_TAG]: 'tag',
  [Action.ACTION_QUARANTINE]: 'quarantine',
  [Action.ACTION_REJECT]: 'reject',
  [Action.ACTION_TEMPFAIL]: 'tempfail',
  [Action.ACTION_HOLD]: 'hold',
  [Action.ACTION_DISCARD]: 'discard',
};

export const directionName = (direction: Direction): DirectionName => DIRECTIONS[direction] ?? 'unspecified';
export const actionName = (action: Action): ActionName => ACTIONS[action] ?? 'unspecified';

/** A DateTime64(3) literal in UTC ('2026-01-02 03:04:05.678'): unambiguous on chdb and on every server version. */
export function dateTime64(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function messageRow(event: MessageEvent) {
  const envelope = event.envelope;
  const headers = event.headers;
  const delivery = event.delivery;
  return {
    id: event.id,
    node_id: event.nodeId,
    tenant: event.tenant,
    received_at: dateTime64(event.receivedAtMs),
    direction: directionName(event.direction),
    mail_from: envelope?.mailFrom ?? '',
    rcpt_to: envelope?.rcptTo ?? [],
    client_ip: envelope?.clientIp ?? '',
    client_hostname: envelope?.clientHostname ?? '',
    helo: envelope?.helo ?? '',
    tls: envelope?.tls ?? false,
    tls_version: envelope?.tlsVersion ?? '',
    tls_cipher: envelope?.tlsCipher ?? '',
    tls_server_name: envelope?.tlsServerName ?? '',
    authenticated_user: envelope?.authenticatedUser ?? '',
    subject: headers?.subject ?? '',
    header_from: headers?.from ?? '',
    header_to: headers?.to ?? '',
    header_message_id: headers?.messageId ?? '',
    header_date: headers?.date ?? '',
    reply_to: headers?.replyTo ?? '',
    action: actionName(event.action),
    score: event.score,
    'symbols.name': event.symbols.map((s) => s.name),
    'symbols.score': event.symbols.map((s) => s.score),
    'symbols.detail': event.symbols.map((s) => s.detail),
    'symbols.stage': event.symbols.map((s) => s.stage),
    'attachments.name': event.attachments.map((a) => a.name),
    'attachments.declared_type': event.attachments.map((a) => a.declaredType),
    'attachments.detected_type': event.attachments.map((a) => a.detectedType),
    'attachments.size': event.attachments.map((a) => a.size),
    'attachments.sha256': event.attachments.map((a) => a.sha256),
    urls: event.urls,
    delivery_status: delivery?.status ?? '',
    delivery_downstream: delivery?.downstream ?? '',
    delivery_response: delivery?.response ?? '',
    delivery_attempts: delivery?.attempts ?? 0,
    delivery_at: dateTime64(delivery?.atMs ?? 0),
    session_ms: event.timings?.sessionMs ?? 0,
    scan_ms: event.timings?.scanMs ?? 0,
    spool_ms: event.timings?.spoolMs ?? 0,
    policy_version: event.policyVersion,
    size_bytes: event.sizeBytes,
    smtp_reply: event.smtpReply,
    body_text: event.bodyText.slice(0, BODY_TEXT_MAX),
  };
}

export function deliveryRow(event: DeliveryEvent) {
  return {
    message_id: event.messageId,
    node_id: event.nodeId,
    recipient: event.recipient,
    status: event.result?.status ?? '',
    downstream: event.result?.downstream ?? '',
    response: event.result?.response ?? '',
    attempts: event.result?.attempts ?? 0,
    at: dateTime64(event.result?.atMs || Date.now()),
    tls_version: event.result?.tlsVersion ?? '',
  };
}

export function auditRow(entry: AuditEntry) {
  return {
    seq: entry.seq,
    at: dateTime64(entry.atMs),
    admin: entry.admin,
    action: entry.action,
    target: entry.target,
    detail: entry.detail,
    ok: entry.ok,
    prev_hash: entry.prevHash,
    hash: entry.hash,
  };
}
