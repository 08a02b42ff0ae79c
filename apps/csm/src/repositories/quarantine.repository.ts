/** Bodies of quarantined and held messages (JetStream Object Store bucket moat_quarantine, object name = message id). */
export abstract class QuarantineRepository {
  /** Removes the body; false when there was none (never stored, or already deleted). */
  abstract delete(messageId: string): Promise<boolean>;
}
