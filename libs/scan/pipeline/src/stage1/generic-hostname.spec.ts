import { describe, expect, it } from 'vitest';
import { clientNetwork } from './client-network.js';
import { isGenericHostname } from './generic-hostname.js';

describe('generic host names', () => {
  it.each([
    ['198-51-100-7.dyn.isp.test', '198.51.100.7'],
    ['7.100.51.198.broadband.isp.test', '198.51.100.7'],
    ['c6336407.cable.isp.test', '198.51.100.7'],
    ['dhcp-100-7.isp.test', '198.51.100.7'],
    ['ppp123.pool.isp.test', '203.0.113.9'],
    ['198-51-100-7.static.isp.test', '::ffff:198.51.100.7'],
    ['2001-db8-0-1--7.ipv6.isp.test', '2001:db8:0:1::7'],
    ['host-20010db8000000010000000000000007.isp.test', '2001:DB8:0:1::7'],
    ['dyn-v6-12.pool.isp.test', '2001:db8::12'],
  ])('%s is generic', (name, ip) => expect(isGenericHostname(name, ip)).toBe(true));

  it.each([
    ['mail.sender.test', '198.51.100.7'],
    ['mx1.bigmail.test', '198.51.100.7'],
    ['smtp-out.bank.test', '203.0.113.9'],
    ['mx2.bigmail.test', '2001:db8:0:1::7'],
  ])('%s is not', (name, ip) => expect(isGenericHostname(name, ip)).toBe(false));
});

describe('client networks', () => {
  it('groups IPv4 by /24 and IPv6 by /64 by default', () => {
    expect(clientNetwork('198.51.100.77', 24, 64)).toBe('198.51.100.0/24');
    expect(clientNetwork('::ffff:198.51.100.77', 16, 64)).toBe('198.51.0.0/16');
    expect(clientNetwork('2001:db8:0:1:2:3:4:5', 24, 64)).toBe('2001:db8:0:1:0:0:0:0/64');
    expect(clientNetwork('2001:db8::1', 24, 48)).toBe('2001:db8:0:0:0:0:0:0/48');
  });
});
