import { parseTagList, TagListError } from '../tag-list.js';

/** An ARC header field's tag list with every required tag present, or why it is malformed. */
export function requiredTags(value: string, required: readonly string[]): Map<string, string> | string {
  let tags: Map<string, string>;
  try {
    tags = parseTagList(value);
  } catch (error) {
    if (error instanceof TagListError) return error.message;
    throw error;
  }
  const missing = required.find((name) => !tags.has(name));
  return missing === undefined ? tags : `missing ${missing}= tag`;
}
