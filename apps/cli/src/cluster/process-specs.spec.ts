import { describe, expect, it } from 'vitest';
import { JEMALLOC_PATH, jemallocEnv, NODE_MALLOC_ENV, nodeSpec, type SpecContext } from './process-specs.js';

const ports = { http: 1, grpc: 2, nats: 3, clamd: 4, downstream: 5, smtp: [6], metrics: [7], submission: [8], submissions: [9], internet: 10 };
const context = (env: NodeJS.ProcessEnv): SpecContext => ({ varDir: '/var/moat', ports, enrolToken: 'token', env });

describe('nodeSpec', () => {
  it('runs a scan node with two malloc arenas and a fixed mmap threshold', () => {
    const env = nodeSpec(context({ PATH: '/usr/bin' }), 0).env;
    expect(env).toMatchObject({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072', PATH: '/usr/bin' });
    expect(NODE_MALLOC_ENV['MALLOC_ARENA_MAX']).toBe('2');
  });

  it('leaves malloc settings the environment gives to the operator', () => {
    expect(nodeSpec(context({ MALLOC_ARENA_MAX: '4' }), 0).env['MALLOC_ARENA_MAX']).toBe('4');
  });

  it('preloads jemalloc, returning freed pages after a second, when the library is installed', () => {
    expect(jemallocEnv(() => true)).toEqual({ LD_PRELOAD: JEMALLOC_PATH, MALLOC_CONF: 'background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0' });
    expect(jemallocEnv((path) => path !== JEMALLOC_PATH)).toEqual({});
  });

  it('lets the environment turn the preload off', () => {
    expect(nodeSpec(context({ LD_PRELOAD: '' }), 0).env['LD_PRELOAD']).toBe('');
  });
});
