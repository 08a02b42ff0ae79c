// For unit specs of the rule checks (policy body.rules); not used at run time.
import { parsePolicy } from '@moat/policy';
import type { StageCheck } from '../check.js';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';

/** A message with the headers every client writes (Date now, a Message-ID), EXTRA headers and a plain BODY. */
export function plainMail(extra: string, body = 'Hello,\r\nsee you tomorrow.\r\n'): Buffer {
  return Buffer.from(`From: Ann <ann@sender.test>\r\nTo: bob@acme.test\r\nSubject: hello\r\nDate: ${new Date().toUTCString()}\r\nMessage-ID: <1@sender.test>\r\n${extra}\r\n${body}`);
}

/** The [symbol, detail] pairs CHECK adds to RAW under a policy with acme.test (plus POLICY). */
export async function ruleSymbols(check: StageCheck<'data'>, raw: Buffer | string, policy: Record<string, unknown> = {}): Promise<[string, string][]> {
  const compiled = compilePolicy(parsePolicy({ domains: [{ name: 'acme.test', downstream: { host: '127.0.0.1' } }], ...policy }), 0);
  const verdict = await new Pipeline([check]).session(compiled, { clientIp: '' }).data(Buffer.isBuffer(raw) ? raw : Buffer.from(raw));
  return verdict.symbols.map((s) => [s.name, s.detail]);
}
