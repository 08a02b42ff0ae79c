/** One stored classifier model version. */
export interface ModelRecord {
  /** The model's content hash (the object's name). */
  version: string;
  sizeBytes: number;
  createdAtMs: number;
  /** How it was made: "shipped", "upload", "report spam", "report ham". */
  source: string;
  /** The version it was learned from, when it was ("shipped" for the model shipped with Moat). */
  base: string;
}

/** Classifier model versions (JetStream Object Store bucket moat_models), written by the CSM and by nodes learning a report. */
export abstract class ModelRepository {
  abstract list(): Promise<ModelRecord[]>;
  /** The model's bytes, undefined when no such version is stored. */
  abstract get(version: string): Promise<Buffer | undefined>;
  /** Stores BYTES as VERSION unless that version is already stored (versions are content hashes). */
  abstract put(version: string, bytes: Buffer, origin: { source: string; base: string }): Promise<void>;
}
