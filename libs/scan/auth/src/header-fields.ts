/** A header field of a message: its name as written and its value with the folding kept. */
export interface HeaderField {
  name: string;
  value: string;
}

/**
 * The header fields of a raw message (RFC 5322 section 2.2), in order. A line that does not start a field
 * continues the one above, so a field cannot hide behind a malformed line.
 */
export function headerFields(raw: Buffer): HeaderField[] {
  const text = raw.toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  const header = end ? text.slice(0, end.index) : text;
  const fields: HeaderField[] = [];
  for (const line of header.split(/\r?\n/)) {
    const start = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:(.*)$/s.exec(line);
    if (start && !/^[ \t]/.test(line)) fields.push({ name: start[1], value: start[2] });
    else if (fields.length > 0) fields[fields.length - 1].value += `\r\n${line}`;
  }
  return fields;
}

export function fieldsNamed(fields: HeaderField[], name: string): HeaderField[] {
  return fields.filter((field) => field.name.toLowerCase() === name.toLowerCase());
}
