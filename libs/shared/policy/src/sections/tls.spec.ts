import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyValidationError } from '../index.js';

describe('policy tls and downstream certificate checks', () => {
  it('defaults to TLS 1.2 and later with the default ciphers', () => {
    expect(parsePolicy({}).tls).toEqual({ minVersion: '1.2', ciphers: '' });
  });

  it('refuses old protocols, cipher lists with other characters, and a CA bundle that is not PEM', () => {
    const problems = (input: unknown) => {
      try {
        parsePolicy(input);
        return [];
      } catch (err) {
        return (err as PolicyValidationError).problems;
      }
    };
    expect(problems({ tls: { minVersion: '1.1' } })).toEqual([expect.stringContaining('tls.minVersion')]);
    expect(problems({ tls: { ciphers: 'ECDHE+AESGCM; rm -rf' } })).toEqual([expect.stringContaining('tls.ciphers')]);
    expect(problems({ domains: [{ name: 'a.test', downstream: { host: 'mx', tls: 'required', caBundle: 'not pem' } }] })).toEqual([expect.stringContaining('domains.0.downstream.caBundle')]);
    expect(parsePolicy({ domains: [{ name: 'a.test', downstream: { host: 'mx', tls: 'required', tlsName: 'MX.A.test' } }] }).domains[0]?.downstream.tlsName).toBe('mx.a.test');
  });
});
