import type { AuthResults } from '@moat/auth';
import { parsePolicy, type PolicyInput } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { chooseActions, mostSevere, outcomesOf } from './auth-actions.js';
import { compileStageOne } from './compile-stage1.js';

const results = (spf: string, dkim: string, dmarc: string): AuthResults =>
  ({ spf: { result: spf }, dkim: { result: dkim }, dmarc: { result: dmarc }, arc: { result: 'none' } }) as unknown as AuthResults;

const stage1 = (auth: NonNullable<PolicyInput['smtpChecks']>['auth'], domains: PolicyInput['domains'] = []) => compileStageOne(parsePolicy({ domains, smtpChecks: { auth } }));

describe('authentication outcome actions', () => {
  it('names the outcomes the policy has actions for', () => {
    expect(outcomesOf(results('fail', 'none', 'fail'))).toEqual(['spfFail', 'dkimNone', 'dmarcFail']);
    expect(outcomesOf(results('pass', 'pass', 'pass'))).toEqual([]);
  });

  it("follows the sender's DMARC p= by default", () => {
    const ctx = { stage1: stage1({}), recipientDomains: [], senderDomains: ['bank.test'], clientIp: '198.51.100.1' };
    expect(chooseActions(['dmarcFail'], ctx, 'reject')).toEqual([{ outcome: 'dmarcFail', action: 'block', source: 'tenant' }]);
    expect(chooseActions(['dmarcFail'], ctx, 'quarantine')[0]?.action).toBe('quarantine');
    expect(chooseActions(['dmarcFail'], ctx, 'none')[0]?.action).toBe('pass');
  });

  it('takes the most severe recipient domain, then sender-domain and country overrides by precedence', () => {
    const domains = [
      { name: 'strict.test', downstream: { host: '127.0.0.1' }, smtpChecks: { authActions: { spfFail: 'block' as const } } },
      { name: 'lax.test', downstream: { host: '127.0.0.1' }, smtpChecks: { authActions: { spfFail: 'tag' as const } } },
    ];
    const auth = { actions: { spfFail: 'quarantine' as const }, senderDomains: [{ domains: ['.partner.test'], actions: { spfFail: 'pass' as const } }], countries: [{ countries: ['kr'], actions: { spfFail: 'defer' as const } }] };
    const base = { recipientDomains: ['lax.test', 'strict.test'], senderDomains: ['mail.other.test'], clientIp: '211.234.0.1' };
    expect(chooseActions(['spfFail'], { ...base, clientIp: '198.51.100.1', stage1: stage1(auth, domains) }, undefined)[0]).toEqual({ outcome: 'spfFail', action: 'block', source: 'domain strict.test' });
    expect(chooseActions(['spfFail'], { ...base, stage1: stage1(auth, domains) }, undefined)[0]).toMatchObject({ action: 'defer', source: 'country KR' });
    const fromPartner = { ...base, senderDomains: ['mx.partner.test'] };
    expect(chooseActions(['spfFail'], { ...fromPartner, stage1: stage1(auth, domains) }, undefined)[0]).toMatchObject({ action: 'pass', source: 'sender domain' });
    expect(chooseActions(['spfFail'], { ...fromPartner, stage1: stage1({ ...auth, precedence: 'country' }, domains) }, undefined)[0]).toMatchObject({ action: 'defer', source: 'country KR' });
  });

  it('picks the most severe action of a message', () => {
    expect(mostSevere([{ outcome: 'spfFail', action: 'tag', source: 'tenant' }, { outcome: 'dmarcFail', action: 'block', source: 'tenant' }])?.outcome).toBe('dmarcFail');
    expect(mostSevere([])).toBeUndefined();
  });
});
