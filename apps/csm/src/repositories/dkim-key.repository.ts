export type DkimAlgorithm = 'rsa' | 'ed25519';

/** One DKIM key of a sending domain, as stored in KV moat_config under `dkim.<domain>.<selector>`. */
export interface DkimKeyRecord {
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  /** The key that signs the domain's mail; at most one per domain. */
  active: boolean;
  createdAtMs: number;
  /** The public key as published in the TXT record's p= tag (base64). */
  publicKey: string;
  /** The PKCS#8 PEM private key, sealed with the CSM's secret key (util/secret-box.ts). */
  sealedPrivateKey: string;
}

/** DKIM keys in the config of record. */
export abstract class DkimKeyRepository {
  abstract list(): Promise<DkimKeyRecord[]>;
  /** Stores a new key; false when DOMAIN already has that selector. */
  abstract create(record: DkimKeyRecord): Promise<boolean>;
  abstract put(record: DkimKeyRecord): Promise<void>;
  /** False when there was no such key. */
  abstract delete(domain: string, selector: string): Promise<boolean>;
}

/** The KV key of a record; also the context its private key is sealed with. */
export const dkimKeyName = (domain: string, selector: string) => `dkim.${domain}.${selector}`;
