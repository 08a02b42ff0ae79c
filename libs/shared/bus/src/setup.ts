import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { BODIES_BUCKET, CONFIG_BUCKET, EVENTS_DUPLICATE_WINDOW_MS, EVENTS_STREAM, EVENTS_SUBJECTS, MODELS_BUCKET, QUARANTINE_BUCKET } from './names.js';
import { natsReplicas, withReplicas } from './replicas.js';

const nanos = (ms: number) => ms * 1_000_000;

/** Creates the events stream if it is missing. Idempotent; safe to call from every process at start. */
export async function ensureEventsStream(nc: NatsConnection): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(EVENTS_STREAM);
  } catch {
    await jsm.streams.add({
      name: EVENTS_STREAM,
      subjects: [EVENTS_SUBJECTS],
      duplicate_window: nanos(EVENTS_DUPLICATE_WINDOW_MS),
      max_age: nanos(30 * 24 * 3600 * 1000),
      num_replicas: natsReplicas(),
    });
  }
  return jsm;
}

/** Opens (creating if needed) the object store that holds quarantined and held message bodies. */
export async function openQuarantineStore(nc: NatsConnection): Promise<ObjectStore> {
  return new Objm(nc).create(QUARANTINE_BUCKET, withReplicas({ description: 'Moat quarantined and held messages' }));
}

/** Opens (creating if needed) the object store that holds bodies kept by the retention policy. */
export async function openBodyStore(nc: NatsConnection): Promise<ObjectStore> {
  return new Objm(nc).create(BODIES_BUCKET, withReplicas({ description: 'Moat message bodies kept by the retention policy' }));
}

/** Opens (creating if needed) the object store that holds every classifier model version. */
export async function openModelStore(nc: NatsConnection): Promise<ObjectStore> {
  return new Objm(nc).create(MODELS_BUCKET, withReplicas({ description: 'Moat classifier models by version' }));
}

/** Opens (creating if needed) the CSM's config of record: policy versions, admins, nodes, audit chain head, keys and certificates. */
export async function openConfigBucket(nc: NatsConnection): Promise<KV> {
  return new Kvm(nc).create(CONFIG_BUCKET, withReplicas({ history: 5, description: 'Moat config of record: policy versions, admins, nodes, audit chain head, keys, certificates' }));
}
