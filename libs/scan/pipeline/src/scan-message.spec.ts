import { parsePolicy } from '@moat/policy';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { StageCheck } from './check.js';
import { compilePolicy } from './compile-policy.js';
import { Pipeline } from './pipeline.js';
import { MessageScanner, scanMessage } from './scan-message.js';
import { CHECK_ERROR } from './session.js';
import type { ActionName } from './types.js';

const policy = parsePolicy({
  lists: { ipBlock: ['203.0.113.0/24'] },
  domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' }, accounts: ['alice'] }],
});
const RAW = Buffer.from(`From: a@sender.test\r\nTo: alice@example.test\r\nSubject: hello\r\nDate: ${new Date().toUTCString()}\r\nMessage-ID: <hello@sender.test>\r\n\r\nsee http://a.test/\r\n`);
const ACTIONS: readonly ActionName[] = ['deliver', 'tag', 'quarantine', 'reject', 'tempfail', 'hold', 'discard'];

describe('scanMessage', () => {
  it('runs every stage the envelope gives and returns the message verdict', async () => {
    const verdict = await scanMessage({ raw: RAW, envelope: { clientIp: '192.0.2.1', helo: 'mx.sender.test', mailFrom: 'a@sender.test', rcptTo: ['alice@example.test'] }, policy, policyVersion: 7 });
    expect(verdict).toMatchObject({ action: 'deliver', score: 0, symbols: [], urls: ['http://a.test/'], recipientDomains: ['example.test'], headers: { subject: 'hello' } });
  });

  it('scans content alone when the envelope is empty', async () => {
    const verdict = await scanMessage({ raw: RAW, envelope: {}, policy });
    expect(verdict).toMatchObject({ action: 'deliver', recipientDomains: [], headers: { subject: 'hello' } });
  });

  it('reports a refusal before DATA as the verdict, without reading the message', async () => {
    const blocked = await scanMessage({ raw: RAW, envelope: { clientIp: '203.0.113.1' }, policy });
    expect(blocked).toMatchObject({ action: 'reject', reply: { code: 554 }, symbols: [{ name: 'IP_BLOCKLIST' }], headers: { subject: '' } });
    const relay = await scanMessage({ raw: RAW, envelope: { rcptTo: ['x@other.test', 'bob@example.test'] }, policy });
    expect(relay).toMatchObject({ action: 'reject', reply: { code: 550, message: '5.7.1 relaying denied' }, symbols: [{ name: 'RELAY_DENIED' }] });
  });

  it('goes on to DATA when at least one recipient is accepted', async () => {
    const verdict = await scanMessage({ raw: RAW, envelope: { rcptTo: ['x@other.test', 'alice@example.test'] }, policy });
    expect(verdict).toMatchObject({ action: 'deliver', recipientDomains: ['example.test'] });
  });

  it('hands the scan options to the checks', async () => {
    let seen: unknown;
    const probe: StageCheck<'data'> = { name: 'probe', stage: 'data', run: (ctx) => void (seen = ctx.options) };
    const options = { dns: { host: '127.0.0.1', port: 5353 }, clamd: { host: '127.0.0.1', port: 3310 } };
    await new MessageScanner(compilePolicy(policy, 1), new Pipeline([probe], options)).scan(RAW, {});
    expect(seen).toEqual(options);
  });
});

// The outside judge: MIME edge cases from other parsers' test suites (../shared/conformance/mime, laid beside
// the repository for developers and CI) plus malformed input made here. Nothing may throw or end in
// CHECK_ERROR; every verdict must be a real action.
const CORPUS = fileURLToPath(new URL('../../../../../shared/conformance/mime', import.meta.url));

function corpusFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? corpusFiles(path) : [path];
  });
}

const MALFORMED: Record<string, Buffer> = {
  'empty': Buffer.alloc(0),
  'nul bytes': Buffer.from('Subject: a\0b\r\n\r\n\0\0\0'),
  'bare LF and CR': Buffer.from('Subject: x\nFrom: a@b.test\r\rbody\n'),
  'no header/body separator': Buffer.from('Subject: only headers'),
  'unterminated multipart': Buffer.from('Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nnever closed'),
  'duplicate boundaries nested': Buffer.from('Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\r\nx\r\n--a--\r\n--a--\r\n'),
  'bad base64 and charset': Buffer.from('Content-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@!!!==\r\n'),
  'overlong header line': Buffer.from(`Subject: ${'x'.repeat(200_000)}\r\n\r\nbody`),
  'binary garbage': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
};

describe('scanning the conformance MIME corpus', () => {
  const files = corpusFiles(CORPUS);
  const scanner = new MessageScanner(compilePolicy(policy, 1));

  it(`scans ${files.length} corpus files and ${Object.keys(MALFORMED).length} malformed messages without an error`, async () => {
    const inputs: [string, Buffer][] = [...files.map((f): [string, Buffer] => [f, readFileSync(f)]), ...Object.entries(MALFORMED)];
    for (const [name, raw] of inputs) {
      const verdict = await scanner.scan(raw, { clientIp: '192.0.2.1', mailFrom: 'a@sender.test', rcptTo: ['alice@example.test'] });
      expect(ACTIONS, name).toContain(verdict.action);
      expect(verdict.symbols.filter((s) => s.name === CHECK_ERROR), name).toEqual([]);
      for (const attachment of verdict.attachments) expect(attachment.sha256, name).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
