import { describe, expect, it } from 'vitest';
import { looksLikeMbox, splitMbox } from './mbox.js';

async function split(text: string, chunkSize = 64 * 1024): Promise<string[]> {
  const bytes = Buffer.from(text);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const messages: string[] = [];
  for await (const message of splitMbox(chunks())) messages.push(message.toString());
  return messages;
}

const MBOX = [
  'From alice@example.test Mon Jan  1 00:00:00 2024',
  'Subject: one',
  '',
  'Hello,',
  'From the desk of Alice (unquoted, but not after a blank line)',
  '>From here on, quoted once',
  '>>From mboxrd, quoted twice',
  '> From is not a quoted From_ line',
  '',
  'From bob@example.test Mon Jan  1 00:00:01 2024',
  'Subject: two',
  '',
  'last line without newline',
].join('\n');

describe('splitMbox', () => {
  it('splits on From_ lines after a blank line and unquotes >From lines', async () => {
    expect(await split(MBOX)).toEqual([
      'Subject: one\n\nHello,\nFrom the desk of Alice (unquoted, but not after a blank line)\nFrom here on, quoted once\n>From mboxrd, quoted twice\n> From is not a quoted From_ line\n',
      'Subject: two\n\nlast line without newline',
    ]);
  });

  it('gives the same messages whatever the chunk boundaries', async () => {
    const whole = await split(MBOX);
    for (const size of [1, 2, 3, 7, 50]) expect(await split(MBOX, size), `chunks of ${size}`).toEqual(whole);
  });

  it('handles CRLF files, leading blank lines and empty messages', async () => {
    const crlf = '\r\n\r\nFrom a Mon\r\nSubject: x\r\n\r\nbody\r\n\r\nFrom b Mon\r\n\r\nFrom c Mon\r\nSubject: z\r\n';
    expect(await split(crlf)).toEqual(['Subject: x\r\n\r\nbody\r\n', '', 'Subject: z\r\n']);
  });

  it('yields nothing for an empty stream', async () => {
    expect(await split('')).toEqual([]);
  });
});

describe('looksLikeMbox', () => {
  it('tells an mbox from a message', () => {
    expect(looksLikeMbox(Buffer.from('From a@b Mon'))).toBe(true);
    expect(looksLikeMbox(Buffer.from('From: a@b'))).toBe(false);
    expect(looksLikeMbox(Buffer.from('Fro'))).toBe(false);
  });
});
