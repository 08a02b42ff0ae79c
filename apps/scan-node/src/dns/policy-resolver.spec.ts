import { getServers } from 'node:dns';
import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { resolverInfo, SYSTEM_RESOLVER_WARNING } from './policy-resolver.js';

describe('resolverInfo', () => {
  it("reports the policy's servers, or the machine's with a warning while sender authentication is on", () => {
    expect(resolverInfo(parsePolicy({ dns: { servers: ['192.0.2.53', '192.0.2.54:5353'] } }))).toEqual({ source: 'configured', servers: ['192.0.2.53', '192.0.2.54:5353'], warning: '' });
    expect(resolverInfo(parsePolicy({}))).toEqual({ source: 'system', servers: getServers(), warning: SYSTEM_RESOLVER_WARNING });
    expect(resolverInfo(parsePolicy({ smtpChecks: { auth: { enabled: false } } })).warning).toBe('');
  });
});
