import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { recipientSyntax } from './recipient-syntax.js';

const pipeline = new Pipeline([recipientSyntax]);
const policy = compilePolicy(parsePolicy({}), 0);

async function rcpt(address: string) {
  const s = pipeline.session(policy, { clientIp: '192.0.2.1' });
  await s.mailFrom('<>');
  return s.rcptTo(address);
}

describe('recipient address syntax', () => {
  it('accepts a valid forward-path', async () => {
    expect(await rcpt('<user@example.test>')).toEqual({ ok: true });
  });

  it.each([
    ['<>', 501],
    ['user', 501],
    ['user@', 501],
    ['user@exa mple.test', 501],
    [`${'a'.repeat(65)}@example.test`, 553],
  ])('refuses %s with %i 5.1.3', async (address, code) => {
    const result = await rcpt(address);
    expect(result).toMatchObject({ ok: false, reply: { code }, verdict: { symbols: [{ name: 'RCPT_SYNTAX' }] } });
    expect(result.ok || result.reply.message).toMatch(/^5\.1\.3 bad recipient address syntax: /);
  });
});
