/** One event delivered by the bus; it stays pending until acked, and is redelivered after nak or timeout. */
export interface BusEvent {
  subject: string;
  data: Uint8Array;
  /** Stream sequence, for log lines. */
  seq: number;
  ack(): void;
  /** Redeliver after DELAYMS (the insert failed). */
  nak(delayMs: number): void;
  /** Never redeliver (the payload cannot be decoded); it stays in the stream for inspection. */
  term(reason: string): void;
}

/** How far the CSM's consumer is behind the stream. */
export interface ConsumerLag {
  /** Events in the stream not yet delivered to the consumer. */
  pending: number;
  /** Events delivered and not yet acked (being inserted). */
  ackPending: number;
}

/** The events stream (JetStream MOAT_EVENTS) read through the CSM's durable consumer. */
export abstract class EventBusRepository {
  /** Calls HANDLER for every event until SIGNAL aborts, resuming after NATS outages. */
  abstract consume(handler: (event: BusEvent) => void, signal: AbortSignal): Promise<void>;
  /** The consumer's lag from its JetStream consumer info; throws while NATS or the consumer is unavailable. */
  abstract lag(): Promise<ConsumerLag>;
}
