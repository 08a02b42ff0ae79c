// Every JetStream name Moat uses, in one place: nodes and the CSM must agree on them.

/** Stream holding every event published by nodes. Subjects below; payloads are protobuf (proto/moat/v1/event.proto). */
export const EVENTS_STREAM = 'MOAT_EVENTS';
export const EVENTS_SUBJECTS = 'moat.events.>';
/** MessageEvent, one per SMTP transaction with a verdict. */
export const messageEventSubject = (nodeId: string) => `moat.events.message.${nodeId}`;
/** DeliveryEvent, one per change of a message's delivery state. */
export const deliveryEventSubject = (nodeId: string) => `moat.events.delivery.${nodeId}`;
/** Nats-Msg-Id values: JetStream drops a second publish with the same id inside the duplicate window. */
export const messageEventMsgId = (messageId: string) => `m-${messageId}`;
export const deliveryEventMsgId = (messageId: string, status: string, attempts: number, recipient: string) =>
  `d-${messageId}-${status}-${attempts}-${recipient}`;
/** Window in which JetStream de-duplicates by Nats-Msg-Id; journal replays happen well inside it. */
export const EVENTS_DUPLICATE_WINDOW_MS = 24 * 3600 * 1000;

/** Durable consumer of the CSM that writes events into ClickHouse. */
export const EVENTS_CONSUMER = 'csm-clickhouse';

/** Config of record, written only by the CSM (policy versions, admins, nodes). */
export const CONFIG_BUCKET = 'moat_config';
/** Message bodies held centrally (quarantine, hold), keyed by message id; any node or the CSM can read them. */
export const QUARANTINE_BUCKET = 'moat_quarantine';
/**
 * Bodies of delivered mail kept by the policy's `retention` (F24), keyed by message id; object metadata
 * `expires_at_ms` (the CSM's sweeper deletes past it), `received_at_ms`, `direction`, `node_id`.
 */
export const BODIES_BUCKET = 'moat_bodies';
/**
 * Classifier models (@moat/classifier's binary format, with its own CRC), object name = model version (the
 * model's content hash). Written by the CSM (uploads, the shipped model) and by nodes learning a report on
 * the CSM's command; which one is in use is the policy's `classifier.modelVersion`.
 */
export const MODELS_BUCKET = 'moat_models';
/** Fleet-wide bulk checksum counts (`c.<checksum>`) and the fuzzy deny list (`deny.<checksum>`), see @moat/fuzzy-store. */
export const FUZZY_BUCKET = 'moat_fuzzy';
/** Fleet-wide windowed counters (rate control, mail-bomb defence), see @moat/fleet-state. */
export const COUNTERS_BUCKET = 'moat_counters';
/** Greylist triplets and auto-allowed (client network, sender domain) pairs, see @moat/fleet-state. */
export const GREYLIST_BUCKET = 'moat_greylist';
/** CSM administrator sessions (`s.<SHA-256 of the token>`), shared by CSM replicas; see apps/csm SessionService. */
export const SESSIONS_BUCKET = 'moat_sessions';
/** CSM login failure counters (per account and address pair, per address, fleet-wide per minute). */
export const LOGINS_BUCKET = 'moat_logins';
/** AUTH brute-force blocks per client address (`ip.<address>`, see auth-blocks.ts), written by nodes and the CSM. */
export const AUTH_BLOCKS_BUCKET = 'moat_auth_blocks';
/**
 * Compromised-account signs per authenticated account (`acct.<address in base64url>`, see account-signs.ts): the
 * usual hourly rate, the recipient domains sent to, and a throttle or hold; written by nodes and the CSM.
 */
export const ACCOUNT_SIGNS_BUCKET = 'moat_account_signs';
