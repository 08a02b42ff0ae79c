import { messageEventMsgId, messageEventSubject, deliveryEventSubject, deliveryEventMsgId } from '@moat/bus';
import { Action, DeliveryEvent, Direction, MessageEvent } from '@moat/proto/grpc';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** A complete MessageEvent as a scan node publishes it; OVERRIDES change single fields. */
export function messageEvent(id: string, overrides: Partial<MessageEvent> = {}): MessageEvent {
  return MessageEvent.fromPartial({
    id,
    nodeId: 'node-test',
    tenant: 'default',
    receivedAtMs: Date.now(),
    direction: Direction.DIRECTION_INBOUND,
    envelope: { mailFrom: `sender-${id}@remote.test`, rcptTo: ['alice@example.test'], clientIp: '192.0.2.7', helo: 'mx.remote.test', tls: true },
    headers: { subject: `Subject of ${id}`, from: `Sender <sender-${id}@remote.test>`, to: 'alice@example.test', messageId: `<${id}@remote.test>` },
    action: Action.ACTION_DELIVER,
    score: 1.5,
    symbols: [
      { name: 'IP_ALLOW', score: -1, detail: '192.0.2.0/24', stage: 'connect' },
      { name: 'SUBJECT_TEST', score: 2.5, detail: 'matched', stage: 'data' },
    ],
    attachments: [{ name: 'report.pdf', declaredType: 'application/pdf', detectedType: 'application/pdf', size: 1234, sha256: 'ab'.repeat(32) }],
    urls: ['https://example.test/x'],
    delivery: { status: 'queued', attempts: 0, atMs: Date.now() },
    policyVersion: 1,
    sizeBytes: 4321,
    smtpReply: '250 2.0.0 queued',
    ...overrides,
  });
}

/** Publishes a MessageEvent to JetStream; MSGID defaults to the node's de-duplication id. */
export async function publishMessage(nc: NatsConnection, event: MessageEvent, msgID = messageEventMsgId(event.id)): Promise<void> {
  await jetstream(nc).publish(messageEventSubject(event.nodeId), MessageEvent.encode(event).finish(), { msgID });
}

export async function publishDelivery(nc: NatsConnection, event: DeliveryEvent): Promise<void> {
  const result = event.result;
  await jetstream(nc).publish(deliveryEventSubject(event.nodeId), DeliveryEvent.encode(event).finish(), {
    msgID: deliveryEventMsgId(event.messageId, result?.status ?? '', result?.attempts ?? 0, event.recipient),
  });
}
