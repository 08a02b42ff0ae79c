import { parsePolicy, type PolicyInput } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import type { SandboxAnswer, SandboxCall, SandboxClient, SandboxSample } from '../sandbox/sandbox-client.js';
import type { Envelope } from '../types.js';
import { sandbox } from './sandbox.js';

const plain = Buffer.from('From: a@remote.test\r\nTo: alice@example.test\r\nSubject: hi\r\nMessage-ID: <m1@remote.test>\r\n\r\nhello\r\n');
const zipLocalHeader = Buffer.from('504b0304', 'hex');
function withAttachments(files: { name: string; content: Buffer }[]): Buffer {
  const parts = files.map((f) => `--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="${f.name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${f.content.toString('base64')}\r\n`);
  return Buffer.from(`From: a@remote.test\r\nTo: alice@example.test\r\nSubject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n${parts.join('')}--b--\r\n`);
}

/** A client that answers from a table and records what it was asked. */
class ScriptedSandboxClient implements SandboxClient {
  readonly samples: SandboxSample[] = [];
  readonly calls: SandboxCall[] = [];
  constructor(private readonly answer: (s: SandboxSample) => SandboxAnswer) {}
  analyse(sample: SandboxSample, call: SandboxCall): Promise<SandboxAnswer> {
    this.samples.push(sample);
    this.calls.push(call);
    return Promise.resolve(this.answer(sample));
  }
}

const verdict = (level: 'clean' | 'low' | 'medium' | 'high' | 'malicious'): SandboxAnswer => ({ outcome: 'verdict', level, detail: `looks ${level}`, server: 'http://a', latencyMs: 12, failedOver: [], cached: false });
const settings = (extra: NonNullable<PolicyInput['sandbox']> = {}): PolicyInput => ({ sandbox: { enabled: true, servers: [{ url: 'http://a' }, { url: 'http://b' }], scope: 'message', ...extra } });

async function scan(raw: Buffer, client: SandboxClient, policy: PolicyInput, envelope: Partial<Envelope> = {}) {
  const verdict = await new Pipeline([sandbox], { sandbox: client }).session(compilePolicy(parsePolicy(policy), 0), { clientIp: '192.0.2.1', ...envelope }).data(raw);
  return { action: verdict.action, reply: verdict.reply, symbols: verdict.symbols.map(({ name, score, detail }) => ({ name, score, detail })) };
}

describe('sandbox check', () => {
  it('sends the whole message and applies the level rules', async () => {
    const client = new ScriptedSandboxClient(() => verdict('high'));
    const result = await scan(plain, client, settings());
    expect(result).toMatchObject({ action: 'quarantine', symbols: [{ name: 'SANDBOX_HIGH', score: 0, detail: 'message.eml: looks high (http://a, 12 ms)' }] });
    expect(client.samples[0]).toMatchObject({ messageId: '<m1@remote.test>', direction: 'inbound', fileName: 'message.eml', fileType: 'message/rfc822', content: plain });
    expect(client.calls[0]?.servers.map((s) => s.url)).toEqual(['http://a', 'http://b']);
  });

  it('scores a level whose rule is score, and rejects on malicious by default', async () => {
    expect((await scan(plain, new ScriptedSandboxClient(() => verdict('medium')), settings())).symbols).toEqual([{ name: 'SANDBOX_MEDIUM', score: 4, detail: 'message.eml: looks medium (http://a, 12 ms)' }]);
    const rejected = await scan(plain, new ScriptedSandboxClient(() => verdict('malicious')), settings());
    expect(rejected).toMatchObject({ action: 'reject', reply: { code: 554 } });
  });

  it('delivers on a timeout when fail-open and holds when fail-closed', async () => {
    const timeout: SandboxAnswer = { outcome: 'timeout', server: 'http://a', latencyMs: 3000, failedOver: [] };
    const open = await scan(plain, new ScriptedSandboxClient(() => timeout), settings({ timeoutMs: 3000 }));
    expect(open).toMatchObject({ action: 'deliver', symbols: [{ name: 'SANDBOX_TIMEOUT', detail: 'message.eml: no verdict from http://a within 3000 ms; delivered (fail-open)' }] });
    const closed = await scan(plain, new ScriptedSandboxClient(() => timeout), settings({ timeoutMs: 3000, onTimeout: 'hold' }));
    expect(closed.action).toBe('hold');
  });

  it('records failovers and an unavailable sandbox', async () => {
    const unavailable: SandboxAnswer = { outcome: 'unavailable', detail: 'no sandbox server answered (http://a: ECONNREFUSED; http://b: HTTP 503)', failedOver: ['http://a'] };
    const result = await scan(plain, new ScriptedSandboxClient(() => unavailable), settings({ onTimeout: 'hold' }));
    expect(result.action).toBe('hold');
    expect(result.symbols.map((s) => s.name)).toEqual(['SANDBOX_FAILOVER', 'SANDBOX_UNAVAILABLE']);
  });

  it('sends only attachments of the chosen types or extensions, each content once', async () => {
    const client = new ScriptedSandboxClient(() => verdict('clean'));
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
    const raw = withAttachments([{ name: 'a.pdf', content: pdf }, { name: 'copy.pdf', content: pdf }, { name: 'notes.txt', content: Buffer.from('plain words\n') }, { name: 'disk.iso', content: Buffer.concat([zipLocalHeader, Buffer.alloc(30)]) }]);
    const result = await scan(raw, client, settings({ scope: 'attachments', types: ['pdf'], extensions: ['ISO'] }));
    expect(client.samples.map((s) => s.fileName)).toEqual(['a.pdf', 'disk.iso']);
    expect(client.samples[0]?.fileType).toBe('application/pdf');
    expect(result.symbols.map((s) => s.name)).toEqual(['SANDBOX_CLEAN', 'SANDBOX_CLEAN']);
  });

  it('skips a direction the policy does not send, and does nothing when off', async () => {
    const client = new ScriptedSandboxClient(() => verdict('high'));
    expect((await scan(plain, client, settings(), { direction: 'outbound', authenticatedUser: 'alice' })).symbols).toEqual([]);
    expect((await scan(plain, client, settings({ directions: ['outbound'] }), { direction: 'outbound', authenticatedUser: 'alice' })).symbols.map((s) => s.name)).toEqual(['SANDBOX_HIGH']);
    expect(client.samples[0]?.direction).toBe('outbound');
    expect((await scan(plain, client, {})).symbols).toEqual([]);
  });

  it('does not hold up a message another check already refused', async () => {
    const client = new ScriptedSandboxClient(() => verdict('clean'));
    const verdictOf = await new Pipeline([{ name: 'refuser', stage: 'data', run: (ctx) => ctx.results.reject({ code: 554, message: '5.7.1 no' }) }, sandbox], { sandbox: client })
      .session(compilePolicy(parsePolicy(settings()), 0), { clientIp: '192.0.2.1' })
      .data(plain);
    expect(verdictOf.action).toBe('reject');
    expect(client.samples).toEqual([]);
  });

  it('refuses an enabled sandbox without servers in the policy', () => {
    expect(() => parsePolicy({ sandbox: { enabled: true } })).toThrow(/an enabled sandbox needs at least one server/);
    expect(() => parsePolicy({ sandbox: { servers: [{ url: 'ftp://x' }] } })).toThrow(/http\(s\) URL/);
    expect(() => parsePolicy({ sandbox: { servers: [{ url: 'https://user:secret@sandbox.test' }] } })).toThrow(/must not hold credentials/);
  });
});
