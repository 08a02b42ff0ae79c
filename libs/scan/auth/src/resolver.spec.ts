import { getServers } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { effectiveServers } from './resolver.js';

describe('effectiveServers', () => {
  it('names the configured servers, or the machine resolvers when none are configured', () => {
    expect(effectiveServers(['192.0.2.53:53'])).toEqual({ source: 'configured', servers: ['192.0.2.53:53'] });
    expect(effectiveServers([])).toEqual({ source: 'system', servers: getServers() });
    expect(effectiveServers(undefined).source).toBe('system');
  });
});
