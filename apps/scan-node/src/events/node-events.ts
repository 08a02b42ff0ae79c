import { deliveryEventMsgId, deliveryEventSubject, messageEventMsgId, messageEventSubject } from '@moat/bus';
import type { ActionName } from '@moat/pipeline';
import { Action, DeliveryEvent, MessageEvent, type DeliveryResult } from '@moat/proto/grpc';
import type { EventPublisher } from './event-publisher.js';

/** Delivery states carried by DeliveryResult.status (proto/moat/v1/event.proto). */
export type DeliveryStatus = 'queued' | 'delivered' | 'deferred' | 'bounced' | 'quarantined' | 'rejected' | 'released' | 'discarded';

export const PROTO_ACTION: Record<ActionName, Action> = {
  deliver: Action.ACTION_DELIVER,
  tag: Action.ACTION_TAG,
  quarantine: Action.ACTION_QUARANTINE,
  reject: Action.ACTION_REJECT,
  tempfail: Action.ACTION_TEMPFAIL,
  hold: Action.ACTION_HOLD,
  discard: Action.ACTION_DISCARD,
};

/** Sees every event the node emits (the metrics count them). */
export interface EventObserver {
  message(event: MessageEvent): void;
  delivery(result: DeliveryResult): void;
}

/** Turns the node's facts into protobuf events on their subjects, with their de-duplication ids. */
export class NodeEvents {
  constructor(
    private readonly publisher: EventPublisher,
    /** The enrolled node id (the node name until the node has enrolled). */
    readonly nodeId: () => string,
    private readonly observer?: EventObserver,
  ) {}

  message(event: Omit<MessageEvent, 'nodeId'>): void {
    const nodeId = this.nodeId();
    const full: MessageEvent = { ...event, nodeId };
    this.observer?.message(full);
    this.publisher.emit({
      subject: messageEventSubject(nodeId),
      msgId: messageEventMsgId(event.id),
      payload: MessageEvent.encode(full).finish(),
    });
  }

  delivery(messageId: string, recipient: string, result: DeliveryResult): void {
    const nodeId = this.nodeId();
    this.observer?.delivery(result);
    this.publisher.emit({
      subject: deliveryEventSubject(nodeId),
      msgId: deliveryEventMsgId(messageId, result.status, result.attempts, recipient),
      payload: DeliveryEvent.encode({ messageId, nodeId, recipient, result }).finish(),
    });
  }
}
