import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One message the demo mailbox stored. */
export interface StoredMessage {
  file: string;
  raw: string;
  subject: string;
  returnPath: string;
  deliveredTo: string[];
}

/** Every message in a demo mailbox directory (complete files only: the mailbox writes them atomically). */
export async function readMailbox(dir: string): Promise<StoredMessage[]> {
  const names = (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.eml')).sort();
  return Promise.all(
    names.map(async (file) => {
      const raw = await readFile(join(dir, file), 'utf8');
      return {
        file,
        raw,
        subject: header(raw, 'Subject'),
        returnPath: header(raw, 'Return-Path').replace(/^<|>$/g, ''),
        deliveredTo: header(raw, 'Delivered-To').split(/,\s*/).filter(Boolean),
      };
    }),
  );
}

/** The unfolded value of the first header field with this name ('' when absent). */
function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return match?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim() ?? '';
}
