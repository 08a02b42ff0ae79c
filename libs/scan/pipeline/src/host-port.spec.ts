import { describe, expect, it } from 'vitest';
import { parseHostPort } from './host-port.js';

describe('parseHostPort', () => {
  it('parses names, IPv4 and bracketed IPv6', () => {
    expect(parseHostPort('127.0.0.1:3310')).toEqual({ host: '127.0.0.1', port: 3310 });
    expect(parseHostPort('dns.internal:53')).toEqual({ host: 'dns.internal', port: 53 });
    expect(parseHostPort('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
  });

  it.each(['127.0.0.1', ':53', 'host:0', 'host:70000', '::1:53', '[nope]:53', 'a b:1'])('refuses %j', (value) => {
    expect(() => parseHostPort(value)).toThrow(/is not HOST:PORT/);
  });
});
