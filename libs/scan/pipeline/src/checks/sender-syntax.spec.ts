import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { senderSyntax } from './sender-syntax.js';

const pipeline = new Pipeline([senderSyntax]);
const policy = compilePolicy(parsePolicy({}), 0);

describe('sender address syntax', () => {
  it.each(['<>', 'a@b.test', '"x y"@b.test', '<@relay.test:a@b.test>'])('accepts %s', async (address) => {
    expect(await pipeline.session(policy, { clientIp: '192.0.2.1' }).mailFrom(address)).toEqual({ ok: true });
  });

  it('refuses malformed senders with 501 5.1.7 and over-long ones with 553', async () => {
    const bad = await pipeline.session(policy, { clientIp: '192.0.2.1' }).mailFrom('a@@b.test');
    expect(bad).toMatchObject({ ok: false, reply: { code: 501, message: '5.1.7 bad sender address syntax: malformed local part' }, verdict: { symbols: [{ name: 'MAIL_FROM_SYNTAX', detail: 'a@@b.test: malformed local part' }] } });
    const long = await pipeline.session(policy, { clientIp: '192.0.2.1' }).mailFrom(`${'a'.repeat(65)}@b.test`);
    expect(long).toMatchObject({ ok: false, reply: { code: 553 } });
  });
});
