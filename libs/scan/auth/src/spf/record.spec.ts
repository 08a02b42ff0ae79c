import { describe, expect, it } from 'vitest';
import { ipv6Groups } from './ip.js';
import { parseRecord } from './record.js';

const fast = (run: () => unknown): void => {
  const t0 = performance.now();
  try {
    run();
  } catch {
    // Malformed on purpose: only the time counts here.
  }
  expect(performance.now() - t0).toBeLessThan(1000);
};

describe('SPF record parsing', () => {
  it('reads mechanisms, qualifiers and a domain-spec ending in a top label', () => {
    const record = parseRecord('v=spf1 -ip4:192.0.2.1 ~include:_spf.example.com a:mail.x1.example -all');
    expect(record.directives.map((d) => `${d.qualifier}${d.mechanism.kind}`)).toEqual(['-ip4', '~include', '+a', '-all']);
    expect(() => parseRecord('v=spf1 include:example.123')).toThrow();
  });

  it('reads a dotted IPv4 tail of an IPv6 address', () => {
    expect(ipv6Groups('::ffff:192.0.2.1').slice(-2)).toEqual(['c000', '0201']);
  });

  it('rejects long runs of name and digit characters in one pass', () => {
    fast(() => parseRecord(`v=spf1 a${'a'.repeat(100_000)}!`));
    fast(() => parseRecord(`v=spf1 include:x.${'a1'.repeat(50_000)}-`));
    fast(() => ipv6Groups(`${'1'.repeat(100_000)}x`));
  });
});
