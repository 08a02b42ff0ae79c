import { parsePolicy, type PolicyInput } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { scanMessage } from '../scan-message.js';
import { zoneResolver } from '../testing/zone-resolver.js';

const resolver = zoneResolver({
  'bank.test TXT': ['v=spf1 ip4:198.51.100.20 -all'],
  '_dmarc.bank.test TXT': ['v=DMARC1; p=reject'],
});

type AuthInput = NonNullable<PolicyInput['smtpChecks']>['auth'];

/** Scans an unsigned message from FROM (envelope and header) sent by CLIENTIP to RCPT under AUTH. */
async function scan(from: string, clientIp: string, auth: AuthInput = {}, rcpt = 'alice@example.test') {
  const policy = parsePolicy({
    domains: [
      { name: 'example.test', downstream: { host: '127.0.0.1' } },
      { name: 'strict.test', downstream: { host: '127.0.0.1' }, smtpChecks: { authActions: { spfNone: 'block' } } },
    ],
    smtpChecks: { auth: { authservId: 'mx.moat.test', ...auth } },
  });
  const raw = Buffer.from(`From: ${from}\r\nTo: ${rcpt}\r\nSubject: hello\r\nMessage-ID: <m@test>\r\n\r\nHello.\r\n`);
  const verdict = await scanMessage({ raw, envelope: { clientIp, helo: 'mx.sender.test', mailFrom: from, rcptTo: [rcpt] }, policy, options: { resolver } });
  const symbols = new Map(verdict.symbols.map((s) => [s.name, s]));
  return { verdict, symbols };
}

describe('sender authentication check', () => {
  it('warns with AUTH_SYSTEM_RESOLVER when the resolver asks the machine resolvers, and not with configured ones', async () => {
    const raw = Buffer.from('From: ceo@bank.test\r\nTo: alice@example.test\r\nSubject: hi\r\n\r\nHello.\r\n');
    const envelope = { clientIp: '198.51.100.20', helo: 'mx.bank.test', mailFrom: 'ceo@bank.test', rcptTo: ['alice@example.test'] };
    const policy = parsePolicy({ domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }] });
    const onSystem = { ...resolver, servers: () => ({ source: 'system' as const, servers: ['192.0.2.1'] }) };
    const warned = await scanMessage({ raw, envelope, policy, options: { resolver: onSystem } });
    expect(warned.symbols.find((s) => s.name === 'AUTH_SYSTEM_RESOLVER')).toMatchObject({ score: 0, detail: expect.stringContaining('192.0.2.1') });
    expect(warned.action).toBe('deliver');
    const configured = { ...resolver, servers: () => ({ source: 'configured' as const, servers: ['192.0.2.53'] }) };
    const quiet = await scanMessage({ raw, envelope, policy, options: { resolver: configured } });
    expect(quiet.symbols.map((s) => s.name)).not.toContain('AUTH_SYSTEM_RESOLVER');
  });

  it("refuses a spoof of a p=reject domain with 550 and passes the domain's own server, with an Authentication-Results value", async () => {
    const spoof = await scan('ceo@bank.test', '203.0.113.9');
    expect(spoof.verdict).toMatchObject({ action: 'reject', reply: { code: 550, message: '5.7.1 message refused: sender authentication (dmarcFail)' } });
    expect(spoof.symbols.get('AUTH_POLICY')?.detail).toBe('dmarcFail -> block (tenant)');
    expect(spoof.symbols.get('SPF_FAIL')?.score).toBe(2);
    expect(spoof.verdict.authenticationResults).toBe('mx.moat.test;\r\n\tspf=fail smtp.mailfrom=bank.test;\r\n\tdkim=none;\r\n\tdmarc=fail header.from=bank.test;\r\n\tarc=none');

    const genuine = await scan('ceo@bank.test', '198.51.100.20');
    expect(genuine.verdict.action).toBe('deliver');
    expect([...genuine.symbols.keys()]).toEqual(expect.arrayContaining(['SPF_PASS', 'DKIM_NONE', 'DMARC_PASS', 'ARC_NONE']));
  });

  it.each([
    [{ spfNone: 'tag' }, 'tag', undefined],
    [{ dkimNone: 'quarantine' }, 'quarantine', undefined],
    [{ dmarcNone: 'defer' }, 'tempfail', 451],
    [{ spfNone: 'block', dkimNone: 'tag' }, 'reject', 550],
  ] as const)('applies the tenant action %o to a sender that publishes nothing', async (actions, action, code) => {
    const { verdict, symbols } = await scan('news@quiet.test', '203.0.113.9', { actions });
    expect(verdict.action).toBe(action);
    if (code) expect(verdict.reply?.code).toBe(code);
    expect(symbols.has('AUTH_POLICY')).toBe(true);
  });

  it("lets a tenant action replace the sender's p=, a recipient domain's action apply to its recipients, and a sender-domain override win", async () => {
    expect((await scan('ceo@bank.test', '203.0.113.9', { actions: { dmarcFail: 'tag' } })).verdict.action).toBe('tag');
    expect((await scan('news@quiet.test', '203.0.113.9', {}, 'carol@strict.test')).verdict).toMatchObject({ action: 'reject', reply: { code: 550 } });
    expect((await scan('news@quiet.test', '203.0.113.9')).verdict.action).toBe('deliver');
    const partner = await scan('news@quiet.test', '203.0.113.9', { actions: { spfNone: 'block' }, senderDomains: [{ domains: ['quiet.test'], actions: { spfNone: 'pass' } }] });
    expect(partner.verdict.action).toBe('deliver');
  });

  it('leaves exempt clients alone, and does nothing when switched off', async () => {
    const local = await scan('ceo@bank.test', '127.0.0.1');
    expect(local.verdict.action).toBe('deliver');
    expect([...local.symbols.keys()].filter((name) => /^(SPF|DKIM|DMARC|ARC)_/.test(name))).toEqual([]);
    const off = await scan('ceo@bank.test', '203.0.113.9', { enabled: false });
    expect(off.verdict.action).toBe('deliver');
    expect(off.verdict.authenticationResults).toBeUndefined();
  });
});
