// Where each field of a JSON text starts, so that the raw policy editor can put the CSM's problems
// (`thresholds.tag: ...`) on the line they are about, and say on which line the text stops being JSON.

/** The JSON text parsed, with the line (1-based) of every field and array element by dotted path. */
export type JsonReading = { ok: true; value: unknown; lines: ReadonlyMap<string, number> } | { ok: false; line: number; message: string };

/** Deeper nesting is refused rather than risking the browser's stack on a hostile paste. */
const MAX_DEPTH = 200;

class JsonSyntaxError extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/** Reads TEXT as JSON; on a syntax error, the line where it is and what was expected. */
export function readJson(text: string): JsonReading {
  const lines = new Map<string, number>();
  let at = 0;
  let line = 1;
  const fail = (message: string): never => {
    throw new JsonSyntaxError(at, at >= text.length ? 'the text ends before the document does' : message);
  };
  const space = () => {
    for (; at < text.length; at++) {
      const c = text[at];
      if (c === '\n') line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') return;
    }
  };
  const string = (): string => {
    const start = at;
    at++;
    for (; at < text.length; at++) {
      const c = text[at];
      if (c === '"') break;
      if (c === '\\') at++;
      else if (c === '\n') fail('a string may not run over the end of its line');
    }
    if (at >= text.length) fail('a string is not closed');
    at++;
    try {
      return JSON.parse(text.slice(start, at)) as string;
    } catch {
      return fail('a string has an invalid escape');
    }
  };
  const value = (path: string, depth: number): void => {
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
    space();
    const c = text[at];
    if (c === '{') {
      at++;
      space();
      if (text[at] === '}') {
        at++;
        return;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail('expected a field name in double quotes');
        const keyLine = line;
        const key = string();
        const child = path ? `${path}.${key}` : key;
        lines.set(child, keyLine);
        space();
        if (text[at] !== ':') fail(`expected ":" after "${key}"`);
        at++;
        value(child, depth + 1);
        space();
        if (text[at] === ',') at++;
        else if (text[at] === '}') {
          at++;
          return;
        } else fail('expected "," or "}" after a field (a missing comma?)');
      }
    }
    if (c === '[') {
      at++;
      space();
      if (text[at] === ']') {
        at++;
        return;
      }
      for (let index = 0; ; index++) {
        space();
        const child = path ? `${path}.${index}` : String(index);
        lines.set(child, line);
        value(child, depth + 1);
        space();
        if (text[at] === ',') at++;
        else if (text[at] === ']') {
          at++;
          return;
        } else fail('expected "," or "]" after an element (a missing comma?)');
      }
    }
    if (c === '"') {
      string();
      return;
    }
    for (const pattern of [NUMBER, LITERAL]) {
      pattern.lastIndex = at;
      if (pattern.test(text)) {
        at = pattern.lastIndex;
        return;
      }
    }
    fail(`unexpected ${JSON.stringify(c)}`);
  };
  try {
    value('', 0);
    space();
    if (at < text.length) fail('unexpected text after the document');
    return { ok: true, value: JSON.parse(text) as unknown, lines };
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { ok: false, line, message: err.message };
    return { ok: false, line, message: err instanceof Error ? err.message : 'not JSON' };
  }
}

/** The line of PATH in LINES, or of the nearest enclosing field present (a missing field: its parent's line). */
export function lineOf(lines: ReadonlyMap<string, number>, path: string): number | undefined {
  for (let at = path; at !== ''; at = at.includes('.') ? at.slice(0, at.lastIndexOf('.')) : '') {
    const line = lines.get(at);
    if (line !== undefined) return line;
  }
  return undefined;
}
