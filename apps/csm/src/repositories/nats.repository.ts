import type { NatsConnection } from '@nats-io/transport-node';

export interface Health {
  ok: boolean;
  detail: string;
}

/** The CSM's one NATS connection. Other repositories get the connection here; services only see health. */
export abstract class NatsRepository {
  /** The live connection; waits up to TIMEOUTMS for it, then throws UnavailableError. */
  abstract connection(timeoutMs?: number): Promise<NatsConnection>;
  abstract health(): Health;
}
