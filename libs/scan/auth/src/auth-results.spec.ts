import { describe, expect, it } from 'vitest';
import { authResultsValue, withoutForgedAuthResults } from './auth-results.js';
import type { AuthResults } from './authenticate.js';
import type { DkimSignatureResult } from './dkim/verify.js';

/** The parts of AuthResults the field is made from; symbols and reasons do not go into it. */
function results(spf: Partial<AuthResults['spf']>, signatures: DkimSignatureResult[], dmarc: Partial<AuthResults['dmarc']>, arc: AuthResults['arc']['result'] = 'none'): AuthResults {
  return {
    spf: { result: 'none', identity: 'mailfrom', domain: '', sender: '', reason: '', lookups: 0, ...spf },
    dkim: { result: signatures[0]?.result ?? 'none', signatures, symbols: [] },
    dmarc: { result: 'none', reason: '', symbols: [], ...dmarc },
    arc: { result: arc, instance: 0, reason: '', symbols: [] },
    author: { ambiguous: false, findings: [] },
    symbols: [],
  };
}

describe('authResultsValue', () => {
  it('states every method under our authserv-id, one per folded line (RFC 8601)', () => {
    const value = authResultsValue(
      'mx.moat.test',
      results({ result: 'pass', domain: 'bank.test' }, [{ result: 'pass', domain: 'bank.test', selector: 's1', reason: '' }, { result: 'fail', domain: 'esp.test', selector: 'k', reason: 'bad' }], { result: 'pass', domain: 'bank.test' }, 'pass'),
    );
    expect(value).toBe('mx.moat.test;\r\n\tspf=pass smtp.mailfrom=bank.test;\r\n\tdkim=pass header.d=bank.test header.s=s1;\r\n\tdkim=fail header.d=esp.test header.s=k;\r\n\tdmarc=pass header.from=bank.test;\r\n\tarc=pass');
  });

  it('says dkim=none without signatures and names the HELO identity when SPF checked HELO', () => {
    const value = authResultsValue('moat.test', results({ result: 'none', identity: 'helo', domain: 'mx.sender.test' }, [], { result: 'none' }));
    expect(value).toBe('moat.test;\r\n\tspf=none smtp.helo=mx.sender.test;\r\n\tdkim=none;\r\n\tdmarc=none;\r\n\tarc=none');
  });

  it('leaves out names a sender wrote that could break the field or add a property', () => {
    const value = authResultsValue(
      'moat.test',
      results({ result: 'fail', domain: 'x.test; dkim=pass' }, [{ result: 'permerror', domain: 'a b.test', selector: 's\r\nX-Injected: 1', reason: '' }], { result: 'fail', domain: 'evil.test (pass)' }),
    );
    expect(value).toBe('moat.test;\r\n\tspf=fail;\r\n\tdkim=permerror;\r\n\tdmarc=fail;\r\n\tarc=none');
  });
});

describe('withoutForgedAuthResults', () => {
  it('removes fields claiming our authserv-id, folded or with comments, and keeps the others', () => {
    const raw = Buffer.from(
      'Authentication-Results: (forged) MX.Moat.test;\r\n\tdmarc=pass header.from=bank.test\r\n' +
        'Authentication-Results: mx.other.test; spf=fail\r\n' +
        'authentication-results :moat.test; dkim=pass\r\n' +
        'From: a@bank.test\r\n\r\nAuthentication-Results: moat.test; in the body\r\n',
    );
    const cleaned = withoutForgedAuthResults(withoutForgedAuthResults(raw, 'mx.moat.test'), 'moat.test').toString();
    expect(cleaned).toBe('Authentication-Results: mx.other.test; spf=fail\r\nFrom: a@bank.test\r\n\r\nAuthentication-Results: moat.test; in the body\r\n');
  });

  it('returns the message itself when no field is ours', () => {
    const raw = Buffer.from('From: a@bank.test\r\n\r\nbody');
    expect(withoutForgedAuthResults(raw, 'moat.test')).toBe(raw);
  });
});
