import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { describe, expect, it } from 'vitest';
import { fastDataFeedApplies, installFastDataFeed } from './data-feed.js';

/** What a parser in DATA mode makes of CHUNKS: the message body and the commands after the final dot. */
async function receive(chunks: readonly Buffer[], fast: boolean): Promise<{ body: string; commands: string[] }> {
  const parser = new SMTPStream();
  if (fast) installFastDataFeed(parser);
  const commands: string[] = [];
  parser.oncommand = (command, callback) => {
    commands.push(command.toString());
    callback?.();
  };
  const stream = parser.startDataMode(10_000_000);
  const body: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => body.push(chunk));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const chunk of chunks) parser.write(chunk);
  await ended;
  parser.continue();
  await new Promise((resolve) => setTimeout(resolve, 5));
  return { body: Buffer.concat(body).toString('latin1'), commands };
}

/** Every way of cutting INPUT in two, and in three around each dot. */
function chunkings(input: Buffer): Buffer[][] {
  const out: Buffer[][] = [[input]];
  for (let a = 1; a < input.length; a++) out.push([input.subarray(0, a), input.subarray(a)]);
  for (let dot = input.indexOf(0x2e); dot >= 0; dot = input.indexOf(0x2e, dot + 1)) {
    for (let a = Math.max(1, dot - 3); a <= dot + 1; a++) {
      for (let b = a + 1; b <= Math.min(input.length - 1, dot + 4); b++) out.push([input.subarray(0, a), input.subarray(a, b), input.subarray(b)]);
    }
  }
  return out;
}

describe('fast DATA feed', () => {
  it('applies to the installed smtp-server', () => {
    expect(fastDataFeedApplies).toBe(true);
  });

  const inputs = [
    'Subject: a\r\n\r\nbody\r\n.\r\nQUIT\r\n',
    '..starts with a dot\r\nline\r\n..\r\n...three\r\n.x not escaped\r\n.\r\nNOOP\r\nQUIT\r\n',
    '.\r\nRSET\r\n',
    '..\r\n.\r\nNOOP\r\n',
    'a\r\n.\r\n.\r\nMAIL FROM:<x@y>\r\n',
    'bare\n.\nnot an end\r\n.\r\n',
    `${'x'.repeat(70_000)}\r\n..dot after a long line\r\n.\r\nQUIT\r\n`,
  ];
  for (const input of inputs) {
    it(`reads ${JSON.stringify(input.length > 60 ? `${input.slice(0, 30)}…` : input)} as the library does, however it is cut`, async () => {
      for (const chunks of chunkings(Buffer.from(input, 'latin1')).slice(0, input.length > 1000 ? 40 : undefined)) {
        expect(await receive(chunks, true)).toEqual(await receive(chunks, false));
      }
    });
  }
});
