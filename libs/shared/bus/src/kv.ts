/** JetStream's answer to a KV compare-and-set (create, update) when the key's revision is not the expected one. */
export function isRevisionConflict(error: unknown): boolean {
  return error instanceof Error && /wrong last sequence|key exists/i.test(error.message);
}

/** Fields of a JSON record read back from KV, each with its type checked (a missing or wrong one reads as 0 / ''). */
export interface StoredFields {
  raw: Readonly<Record<string, unknown>>;
  num(key: string): number;
  str(key: string): string;
}

/** TEXT as a record's fields, or undefined when it is not a JSON object (a damaged record). */
export function storedFields(text: string): StoredFields | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const raw = value as Record<string, unknown>;
  return {
    raw,
    num: (key) => {
      const field = raw[key];
      return typeof field === 'number' && Number.isFinite(field) ? field : 0;
    },
    str: (key) => {
      const field = raw[key];
      return typeof field === 'string' ? field : '';
    },
  };
}
