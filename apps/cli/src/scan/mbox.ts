// mbox (RFC 4155): messages follow "From " separator lines, each (but the first) after a blank line.
// Body lines that began with "From " were written as ">From "; the mboxrd convention also quotes lines
// that already began with ">From ", so one '>' comes off every /^>+From / line. The file is read as bytes
// and split line by line as it streams, so an mbox of any size costs one message of memory.

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const FROM_ = Buffer.from('From ');

/** Whether a file's first bytes mark it as an mbox rather than a single message. */
export function looksLikeMbox(head: Buffer): boolean {
  return head.subarray(0, FROM_.length).equals(FROM_);
}

/** Splits an mbox byte stream into raw messages (separator lines removed, `>From ` unquoted). */
export async function* splitMbox(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let lines: Buffer[] = [];
  let inMessage = false;
  let afterBlank = true;
  let partial: Buffer = Buffer.alloc(0);

  // Returns the finished message when `line` starts the next one.
  const take = (line: Buffer): Buffer | undefined => {
    const separator = afterBlank && startsWith(line, FROM_, 0);
    afterBlank = isBlank(line);
    if (separator) {
      const finished = inMessage ? joinMessage(lines) : undefined;
      lines = [];
      inMessage = true;
      return finished;
    }
    if (!inMessage && afterBlank) return undefined;
    inMessage = true;
    lines.push(isQuotedFrom(line) ? line.subarray(1) : line);
    return undefined;
  };

  for await (const chunk of chunks) {
    const data = partial.length > 0 ? Buffer.concat([partial, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(LF, start); end >= 0; end = data.indexOf(LF, start)) {
      const finished = take(data.subarray(start, end + 1));
      start = end + 1;
      if (finished) yield finished;
    }
    partial = Buffer.from(data.subarray(start));
  }
  if (partial.length > 0) {
    const finished = take(partial);
    if (finished) yield finished;
  }
  if (inMessage) yield joinMessage(lines);
}

/** The message without the blank line that separates it from the next "From " line. */
function joinMessage(lines: Buffer[]): Buffer {
  const last = lines.at(-1);
  return Buffer.concat(last && isBlank(last) ? lines.slice(0, -1) : lines);
}

function isBlank(line: Buffer): boolean {
  return line.length === 0 || (line.length === 1 && line[0] === LF) || (line.length === 2 && line[0] === CR && line[1] === LF);
}

function isQuotedFrom(line: Buffer): boolean {
  let i = 0;
  while (line[i] === GT) i++;
  return i > 0 && startsWith(line, FROM_, i);
}

function startsWith(line: Buffer, prefix: Buffer, offset: number): boolean {
  return line.length >= offset + prefix.length && line.subarray(offset, offset + prefix.length).equals(prefix);
}
