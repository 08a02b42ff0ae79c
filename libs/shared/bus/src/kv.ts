/** JetStream's answer to a KV compare-and-set (create, update) when the key's revision is not the expected one. */
export function isRevisionConflict(error: unknown): boolean {
  return error instanceof Error && /wrong last sequence|key exists/i.test(error.message);
}
