import CFB from 'cfb';

export const OLE_MAGIC = Buffer.from('d0cf11e0a1b11ae1', 'hex');

/** An OLE2 compound file (CFB) opened in memory: stream paths relative to the root, e.g. `Macros/VBA/dir`. */
export interface OleFile {
  /** Storage and stream paths, without the root entry's name; storages end in `/`. */
  paths: string[];
  stream(path: string): Buffer | undefined;
  /** Streams whose own name (last path element) passes `test`. */
  streamsNamed(test: (name: string) => boolean): { path: string; content: Buffer }[];
}

export function isOle(data: Buffer): boolean {
  return data.length >= 512 && data.subarray(0, 8).equals(OLE_MAGIC);
}

/** Opens a compound file, or returns the reason it cannot be read. */
export function openOle(data: Buffer): OleFile | { error: string } {
  if (!isOle(data)) return { error: 'not an OLE2 compound file' };
  let container: CFB.CFB$Container;
  try {
    container = CFB.read(data, { type: 'buffer' });
  } catch (err) {
    return { error: `damaged OLE2 file: ${err instanceof Error ? err.message : String(err)}` };
  }
  const entries = container.FullPaths.map((full, i) => ({ path: full.replace(/^[^/]*\//, ''), entry: container.FileIndex[i]! })).filter((e) => e.path !== '');
  const content = (entry: CFB.CFB$Entry): Buffer => (Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content ?? []));
  return {
    paths: entries.map((e) => e.path),
    stream: (path) => {
      const found = entries.find((e) => e.entry.type === 2 && e.path.toLowerCase() === path.toLowerCase());
      return found ? content(found.entry) : undefined;
    },
    streamsNamed: (test) => entries.filter((e) => e.entry.type === 2 && test(e.entry.name)).map((e) => ({ path: e.path, content: content(e.entry) })),
  };
}
