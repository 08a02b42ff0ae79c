import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyValidationError } from '../index.js';

function problems(dlp: unknown): string[] {
  try {
    parsePolicy({ dlp });
  } catch (err) {
    if (err instanceof PolicyValidationError) return err.problems;
    throw err;
  }
  return [];
}

describe('dlp policy section', () => {
  it('defaults to off, outbound, strict checksums, no rules', () => {
    expect(parsePolicy({}).dlp).toEqual({ enabled: false, directions: ['outbound'], strictChecksum: true, approvalExpiryHours: 72, rules: {} });
  });

  it('takes per-kind thresholds and actions, defaulting to 1 and log', () => {
    const dlp = parsePolicy({ dlp: { enabled: true, directions: ['outbound', 'inbound'], rules: { rrn: { threshold: 5, action: 'hold' }, card: { action: 'block' }, email: {} } } }).dlp;
    expect(dlp.rules).toEqual({ rrn: { threshold: 5, action: 'hold' }, card: { threshold: 1, action: 'block' }, email: { threshold: 1, action: 'log' } });
    expect(dlp.directions).toEqual(['outbound', 'inbound']);
  });

  it('refuses unknown kinds, actions, thresholds below 1, and empty or repeated directions', () => {
    expect(problems({ rules: { ssn: { threshold: 1 } } })[0]).toBe('dlp.rules: Unrecognized key: "ssn"');
    expect(problems({ rules: { rrn: { action: 'quarantine' } } })[0]).toMatch(/^dlp\.rules\.rrn\.action: /);
    expect(problems({ rules: { rrn: { threshold: 0 } } })[0]).toMatch(/^dlp\.rules\.rrn\.threshold: /);
    expect(problems({ rules: { rrn: { threshold: 2.5 } } })[0]).toMatch(/^dlp\.rules\.rrn\.threshold: /);
    expect(problems({ directions: [] })).toEqual(['dlp.directions: name at least one direction']);
    expect(problems({ directions: ['inbound', 'inbound'] })).toEqual(['dlp.directions: directions must not repeat']);
    expect(problems({ enabled: true, extra: 1 })[0]).toMatch(/^dlp: /);
  });
});
