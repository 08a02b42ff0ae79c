import { describe, expect, it } from 'vitest';
import { publicIp, receivedIps } from './received-ips.js';

const line = (value: string) => ({ name: 'received', value });

describe('Received relay addresses', () => {
  it('takes the public addresses of the from clauses, newest first, up to the depth', () => {
    const lines = [
      line('from mx.relay.test (mx.relay.test [45.33.12.7]) by mx.moat.test with ESMTP id 1'),
      line('from internal (internal [10.1.2.3]) by mx.relay.test'),
      line('from client (client [IPv6:2a01:4f8::5]) by internal (Postfix) [8.8.8.8]'),
      line('from deep (deep [9.9.9.9]) by x'),
    ];
    expect(receivedIps(lines, 3)).toEqual(['45.33.12.7', '2a01:4f8::5']);
  });

  it('knows which addresses are not public', () => {
    expect(publicIp('::ffff:45.33.12.7')).toBe('45.33.12.7');
    for (const ip of ['127.0.0.1', '10.0.0.1', '192.168.1.1', '100.64.0.1', '::1', 'fe80::1', '2001:db8::1', 'nonsense']) expect(publicIp(ip)).toBeUndefined();
  });
});
