import { describe, expect, it } from 'vitest';
import { withoutForgedAuthResults } from './auth-results.js';

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
