import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { looksLikeMbox, splitMbox } from './mbox.js';

/** One message to scan, or a file that could not be read (reported, and the scan goes on). */
export type MessageSource = { file: string; raw: Buffer } | { file: string; error: string };

/**
 * The messages under the given paths, in a stable order: a file is one message unless it starts with an
 * mbox "From " line, then each of its messages is `path#N` (from 1); directories are walked recursively in
 * name order. Symbolic links to files are followed, links to directories are not (no cycles).
 */
export async function* messagesIn(paths: readonly string[]): AsyncGenerator<MessageSource> {
  for (const path of paths) yield* messagesAt(path);
}

async function* messagesAt(path: string): AsyncGenerator<MessageSource> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    yield { file: path, error: messageOf(err) };
    return;
  }
  if (info.isDirectory()) {
    yield* messagesInDirectory(path);
  } else if (info.isFile()) {
    yield* messagesInFile(path);
  }
}

async function* messagesInDirectory(dir: string): AsyncGenerator<MessageSource> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    yield { file: dir, error: messageOf(err) };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* messagesInDirectory(path);
    else if (entry.isFile()) yield* messagesInFile(path);
    else if (entry.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile()) yield* messagesInFile(path);
  }
}

async function* messagesInFile(file: string): AsyncGenerator<MessageSource> {
  try {
    if (!(await isMbox(file))) {
      yield { file, raw: await readFile(file) };
      return;
    }
    let n = 0;
    for await (const raw of splitMbox(createReadStream(file))) yield { file: `${file}#${++n}`, raw };
  } catch (err) {
    yield { file, error: messageOf(err) };
  }
}

async function isMbox(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return looksLikeMbox(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
