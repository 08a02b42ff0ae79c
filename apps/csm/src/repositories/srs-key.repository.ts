/** The cluster's SRS key in the config of record, sealed with the CSM's secret key (util/secret-box.ts). */
export abstract class SrsKeyRepository {
  /** The sealed key, undefined while there is none. */
  abstract get(): Promise<string | undefined>;
  /** Stores SEALED unless a key exists already (another replica made one first): false then. */
  abstract create(sealed: string): Promise<boolean>;
}

/** The KV key of the record; also the context its key is sealed with. */
export const SRS_KEY_NAME = 'srs.key';
