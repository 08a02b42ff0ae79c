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

/** The events stream (JetStream MOAT_EVENTS) read through the CSM's durable consumer. */
export abstract class EventBusRepository {
  /** Calls HANDLER for every event until SIGNAL aborts, resuming after NATS outages. */
  abstract consume(handler: (event: BusEvent) => void, signal: AbortSignal): Promise<void>;
}
