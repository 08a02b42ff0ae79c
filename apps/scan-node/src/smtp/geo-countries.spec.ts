import { describe, expect, it } from 'vitest';
import { GeoCountries, ipv6High64 } from './geo-countries.js';

describe('GeoCountries', () => {
  const geo = new GeoCountries();

  it('gives the country of IPv4 and IPv6 addresses from the shipped RIR data', async () => {
    expect(await geo.country('1.0.16.1')).toBe('JP');
    expect(await geo.country('::ffff:1.0.16.1')).toBe('JP');
    expect(await geo.country('2001:2::1')).toBe('JP');
    expect(await geo.country('1.0.0.1')).toBe('AU');
    expect(await geo.country('2a00:1450:4001:81c::200e')).not.toBe('');
  }, 30_000);

  it('has no country for private, loopback and malformed addresses', async () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '192.168.0.1', '172.20.0.1', '100.64.1.1', '::1', '::ffff:10.0.0.1', 'fd00::1', 'fe80::1%eth0', '2001:db8::1', 'not-an-address', '']) expect(await geo.country(ip)).toBe('');
  }, 30_000);

  it('reads the upper 64 bits of any IPv6 form', () => {
    expect(ipv6High64('2001:db8::1')).toBe(0x20010db800000000n);
    expect(ipv6High64('2001:db8:1:2:3:4:5:6')).toBe(0x20010db800010002n);
    expect(ipv6High64('::ffff:192.0.2.1')).toBe(0n);
    expect(ipv6High64('::')).toBe(0n);
    expect(ipv6High64('1.2.3.4')).toBeUndefined();
  });
});
