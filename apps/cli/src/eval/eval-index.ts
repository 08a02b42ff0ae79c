import { dirname, resolve } from 'node:path';

/** One labelled message of a `moat eval` index: its line, its path as written and as resolved. */
export interface IndexEntry {
  line: number;
  spam: boolean;
  /** The path as written in the index (what the result lines name). */
  file: string;
  /** The path relative to the index file's directory (or absolute as written). */
  path: string;
}

/** Why an index cannot be used: every bad line, by number. */
export class IndexFormatError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'IndexFormatError';
  }
}

const MAX_REPORTED_PROBLEMS = 20;

/**
 * Parses a TREC spam track index: one `spam PATH` or `ham PATH` per line (label and path separated by spaces or
 * tabs; the path runs to the end of the line), blank lines ignored, paths relative to the index file's directory.
 * Every bad line is an error naming its number; nothing is scored from an index with one.
 */
export function parseEvalIndex(text: string, indexFile: string): IndexEntry[] {
  const base = dirname(indexFile);
  const entries: IndexEntry[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const space = line.search(/[ \t]/);
    const label = space < 0 ? line : line.slice(0, space);
    const file = space < 0 ? '' : line.slice(space + 1).trim();
    if (label !== 'spam' && label !== 'ham') problems.push(`${indexFile}:${i + 1}: the label must be "spam" or "ham", got "${truncate(label)}"`);
    else if (file === '') problems.push(`${indexFile}:${i + 1}: no PATH after "${label}"`);
    else if (file.includes('\0')) problems.push(`${indexFile}:${i + 1}: the path contains a NUL byte`);
    else entries.push({ line: i + 1, spam: label === 'spam', file, path: resolve(base, file) });
  }
  if (problems.length > MAX_REPORTED_PROBLEMS) problems.splice(MAX_REPORTED_PROBLEMS, problems.length, `... and ${problems.length - MAX_REPORTED_PROBLEMS} more bad lines`);
  if (problems.length > 0) throw new IndexFormatError(problems);
  if (entries.length === 0) throw new IndexFormatError([`${indexFile}: no "spam PATH" or "ham PATH" line`]);
  return entries;
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
