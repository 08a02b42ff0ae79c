import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ nodeName: 'node-1', smtpHost: '127.0.0.1', smtpPort: 2525, natsUrl: 'nats://127.0.0.1:4222', csmGrpc: '127.0.0.1:50051', clamd: { host: '127.0.0.1', port: 3310 }, proxyProtocol: false, enrolToken: undefined, metricsHost: '127.0.0.1', metricsPort: 9464, metricsToken: undefined });
    expect(config.dataDir).toMatch(/var\/nodes\/node-1$/);
  });

  it('reads every variable', () => {
    const config = loadConfig({ MOAT_NODE_NAME: 'edge-2', MOAT_SMTP_PORT: '2600', MOAT_DATA_DIR: '/srv/moat', MOAT_PROXY_PROTOCOL: '1', MOAT_ENROL_TOKEN: 't', MOAT_CLAMD: '[::1]:3310' });
    expect(config).toMatchObject({ nodeName: 'edge-2', smtpPort: 2600, dataDir: '/srv/moat', proxyProtocol: true, enrolToken: 't', clamd: { host: '::1', port: 3310 } });
    expect(loadConfig({ MOAT_METRICS_HOST: '::', MOAT_METRICS_PORT: '0', MOAT_METRICS_TOKEN: 'scrape' })).toMatchObject({ metricsHost: '::', metricsPort: 0, metricsToken: 'scrape' });
  });

  it('reads a test clock file only with MOAT_TEST_CLOCK=1', () => {
    expect(loadConfig({}).clockFile).toBeUndefined();
    expect(loadConfig({ MOAT_TEST_CLOCK: '1', MOAT_CLOCK_FILE: '/tmp/clock' }).clockFile).toBe('/tmp/clock');
    expect(() => loadConfig({ MOAT_CLOCK_FILE: '/tmp/clock' })).toThrow(/MOAT_CLOCK_FILE is for tests/);
  });

  it('enrols on the CSM host at port 50052 unless MOAT_CSM_ENROL says otherwise', () => {
    expect(loadConfig({})).toMatchObject({ csmEnrol: '127.0.0.1:50052' });
    expect(loadConfig({ MOAT_CSM_GRPC: '[::1]:7000' })).toMatchObject({ csmEnrol: '[::1]:50052' });
    expect(loadConfig({ MOAT_CSM_ENROL: 'csm.example:7001' })).toMatchObject({ csmEnrol: 'csm.example:7001' });
    expect(() => loadConfig({ MOAT_CSM_ENROL: 'nohost' })).toThrow(/MOAT_CSM_ENROL/);
  });

  it('offers submission only on the ports given', () => {
    expect(loadConfig({})).toMatchObject({ submissionPort: undefined, submissionsPort: undefined });
    expect(loadConfig({ MOAT_SUBMISSION_PORT: '2587', MOAT_SUBMISSIONS_PORT: '0' })).toMatchObject({ submissionPort: 2587, submissionsPort: 0 });
    expect(() => loadConfig({ MOAT_SUBMISSION_PORT: 'x', MOAT_SUBMISSIONS_PORT: '99999' })).toThrow(/MOAT_SUBMISSION_PORT[^\n]*\n {2}MOAT_SUBMISSIONS_PORT/);
  });

  it('refuses a metrics listener that is not an address and port', () => {
    expect(() => loadConfig({ MOAT_METRICS_HOST: 'monitoring.example', MOAT_METRICS_PORT: '-1' })).toThrow(/MOAT_METRICS_HOST[^\n]*\n {2}MOAT_METRICS_PORT/);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ MOAT_NODE_NAME: 'bad name', MOAT_SMTP_PORT: '70000', MOAT_CSM_GRPC: 'nohost', MOAT_PROXY_PROTOCOL: 'maybe' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(' ')[0])).toEqual(['MOAT_NODE_NAME', 'MOAT_SMTP_PORT', 'MOAT_CSM_GRPC:', 'MOAT_PROXY_PROTOCOL']);
  });
});
