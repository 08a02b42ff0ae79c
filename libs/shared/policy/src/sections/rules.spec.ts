import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyValidationError } from '../index.js';

function problems(input: unknown): string[] {
  try {
    parsePolicy(input);
  } catch (err) {
    if (err instanceof PolicyValidationError) return err.problems;
    throw err;
  }
  return [];
}

describe('body.rules policy section', () => {
  it('is on by default with every symbol scored, the protected-address case at the tag threshold', () => {
    const policy = parsePolicy({});
    expect(policy.body.rules).toMatchObject({ enabled: true, off: [], pastDays: 4, futureHours: 12, brands: {} });
    expect(policy.body.rules.scores.FROM_NAME_PROTECTED_ADDRESS).toBeGreaterThanOrEqual(policy.thresholds.tag);
    expect(Object.keys(policy.body.rules.scores)).toHaveLength(36);
  });

  it('switches checks off by name, overrides scores and adds brands', () => {
    const rules = parsePolicy({ body: { rules: { off: ['qr_code_links'], scores: { HTML_ONLY: 0 }, brands: { 'Acme Pay': ['acmepay.test'] } } } }).body.rules;
    expect(rules.off).toEqual(['qr_code_links']);
    expect(rules.scores.HTML_ONLY).toBe(0);
    expect(rules.scores.URL_IP_HOST).toBe(2.5);
    expect(rules.brands).toEqual({ 'Acme Pay': ['acmepay.test'] });
  });

  it('refuses unknown checks and symbols with their paths', () => {
    expect(problems({ body: { rules: { off: ['no_such_rule'] } } }).join('\n')).toContain('body.rules.off.0');
    expect(problems({ body: { rules: { scores: { NO_SUCH_SYMBOL: 1 } } } }).join('\n')).toContain('body.rules.scores');
    expect(problems({ body: { rules: { brands: { Acme: [] } } } }).join('\n')).toContain('body.rules.brands.Acme');
  });
});
