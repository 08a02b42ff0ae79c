import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DemoMailbox } from './demo-mailbox.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moat-mb-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('DemoMailbox', () => {
  it('stores each delivered message as an .eml with its envelope', async () => {
    const port = await freePort();
    const mailbox = new DemoMailbox(join(dir, 'mailbox'), port, join(dir, 'mailbox.log'));
    await mailbox.start();
    try {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
      const info = await transport.sendMail({ envelope: { from: 'x@sender.test', to: ['alice@example.test', 'bob@example.test'] }, raw: 'Subject: hi\r\n\r\nbody\r\n' });
      transport.close();
      expect(info.response).toMatch(/^250 2\.0\.0 stored as \d+-[0-9a-f-]+\.eml/);
      const files = await readdir(join(dir, 'mailbox'));
      expect(files).toHaveLength(1);
      const eml = await readFile(join(dir, 'mailbox', String(files[0])), 'utf8');
      expect(eml).toBe('Return-Path: <x@sender.test>\r\nDelivered-To: alice@example.test, bob@example.test\r\nSubject: hi\r\n\r\nbody\r\n');
    } finally {
      await mailbox.stop();
    }
    expect(mailbox.running).toBe(false);
  });
});

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}
