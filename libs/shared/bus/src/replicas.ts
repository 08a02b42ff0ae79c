import type { JetStreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM } from './names.js';

/** JetStream keeps at most five copies of a stream. */
const MAX_REPLICAS = 5;

/**
 * How many copies JetStream keeps of each Moat stream, KV bucket and object store: `MOAT_NATS_REPLICAS`, 1 (one
 * server) to 5; 3 on a three-server cluster, so the fleet keeps working while one server is down. It applies when
 * a process creates them; the CSM scales existing ones at start (`scaleStreams`). Throws on a bad value, which
 * the processes' configuration checks call at start so that it is reported with the other settings.
 */
export function natsReplicas(env: NodeJS.ProcessEnv = process.env): number {
  const text = env['MOAT_NATS_REPLICAS']?.trim() || '1';
  const replicas = Number(text);
  if (!/^\d$/.test(text) || replicas < 1 || replicas > MAX_REPLICAS) throw new Error(`MOAT_NATS_REPLICAS must be a number of copies from 1 to ${MAX_REPLICAS}, got ${JSON.stringify(text)}`);
  return replicas;
}

/** A KV bucket's or object store's options with the configured replica count. */
export function withReplicas<T extends object>(options: T): T & { replicas: number } {
  return { ...options, replicas: natsReplicas() };
}

/** Whether NAME is one of Moat's JetStream streams: the events stream, and the streams under its KV buckets and object stores. */
export function isMoatStream(name: string): boolean {
  return name === EVENTS_STREAM || name.startsWith('KV_moat_') || name.startsWith('OBJ_moat_');
}

/**
 * Sets every Moat stream to REPLICAS copies (JetStream moves the data: scaling up copies it to more servers, down
 * drops copies). Returns what changed, as "name: from -> to". Streams created before the cluster grew get the new
 * count this way; nothing else has to be done by hand.
 */
export async function scaleStreams(jsm: JetStreamManager, replicas: number): Promise<string[]> {
  const changed: string[] = [];
  for await (const info of jsm.streams.list()) {
    const { name, num_replicas: current } = info.config;
    if (!isMoatStream(name) || current === replicas) continue;
    await jsm.streams.update(name, { num_replicas: replicas });
    changed.push(`${name}: ${current} -> ${replicas}`);
  }
  return changed;
}

/**
 * The servers of MOAT_NATS_URL: one URL, or several separated by commas (the servers of a cluster; a client also
 * learns the others from the one it reaches, but a list lets it start while that one is down).
 */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
}
