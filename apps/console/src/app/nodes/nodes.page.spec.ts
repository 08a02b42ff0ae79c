import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { ClusterStatus } from '../api/api.types';
import { NodesPage } from './nodes.page';

const STATUS: ClusterStatus = {
  policyVersion: 4,
  nats: { ok: true, detail: 'nats://127.0.0.1:4222' },
  clickhouse: { ok: false, detail: 'connection refused' },
  bodyStore: { bytes: 1536, messages: 3 },
  nodes: [
    {
      id: 'n-b',
      name: 'node-2',
      smtpAddress: '127.0.0.1:2526',
      metricsUrl: '',
      up: false,
      lastHeartbeatMs: Date.now() - 120_000,
      policyVersion: 3,
      softwareVersion: '0.1.0',
      revokedAtMs: 0,
      engineVersions: { clamav: 'unavailable: clamav unavailable: connect ECONNREFUSED 127.0.0.1:3310' },
      resolver: { source: 'system', servers: ['127.0.0.53'], warning: "sender authentication runs on the machine's resolver" },
    },
    {
      id: 'n-a',
      name: 'node-1',
      smtpAddress: '127.0.0.1:2525',
      metricsUrl: 'http://127.0.0.1:9464/metrics',
      up: true,
      lastHeartbeatMs: Date.now() - 2_000,
      policyVersion: 4,
      softwareVersion: '0.1.0',
      revokedAtMs: 0,
      engineVersions: { clamav: 'ClamAV 1.4.6/27500/Thu Nov 27 09:33:02 2026', hashdb: 'hashdb policy 4 (2 hashes)' },
      resolver: { source: 'configured', servers: ['10.0.0.53', '10.0.0.54'], warning: '' },
    },
  ],
};

describe('NodesPage', () => {
  it('lists each node with its state, address, policy version, antivirus engines and DNS resolver, and the services health', async () => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    const fixture = TestBed.createComponent(NodesPage);
    const backend = TestBed.inject(HttpTestingController);
    await vi.waitFor(() => backend.expectOne('/api/status').flush(STATUS));
    await fixture.whenStable();

    const page = fixture.nativeElement as HTMLElement;
    const text = (selector: string) => [...page.querySelectorAll(selector)].map((e) => e.textContent?.trim());
    expect(text('[data-testid="policy-version"]')).toEqual(['4']);
    expect(text('[data-testid="nodes-up"]')).toEqual(['1 / 2']);
    expect(text('[data-testid="body-store-size"]')).toEqual(['1.5 KiB']);
    expect(text('[data-testid="body-store-messages"]')).toEqual(['3 messages (retention and quarantine)']);
    expect(text('[data-testid="node-name"]')).toEqual(['node-1', 'node-2']);
    expect(text('[data-testid="node-state"]')).toEqual(['Up', 'Down']);
    expect(text('[data-testid="node-smtp"]')).toEqual(['127.0.0.1:2525', '127.0.0.1:2526']);
    expect(text('[data-testid="node-metrics"]')).toEqual(['127.0.0.1:9464', 'not reported']);
    expect([...page.querySelectorAll('[data-testid="node-metrics-link"]')].map((a) => a.getAttribute('href'))).toEqual(['http://127.0.0.1:9464/metrics']);
    expect(text('[data-testid="node-heartbeat"]')).toEqual(['2 s ago', '2 min ago']);
    expect(text('[data-testid="node-policy-version"]')).toEqual(['4', '3']);
    expect(text('[data-testid="engine-version"]')).toEqual(['ClamAV 1.4.6', 'hashdb policy 4 (2 hashes)']);
    expect(text('[data-testid="engine-signatures"]')).toEqual(['signatures 27500 · Thu Nov 27 09:33:02 2026']);
    const down = page.querySelector('[data-node-id="n-b"] [data-testid="node-engine"]');
    expect([down?.getAttribute('data-engine'), down?.getAttribute('data-unavailable'), down?.textContent?.includes('unavailable')]).toEqual(['clamav', 'true', true]);
    expect(page.querySelector('[data-testid="clickhouse-health"]')?.getAttribute('data-ok')).toBe('false');
    expect(text('[data-testid="resolver-servers"]')).toEqual(['10.0.0.53, 10.0.0.54', '127.0.0.53']);
    expect([...page.querySelectorAll('[data-testid="node-resolver"]')].map((e) => e.getAttribute('data-source'))).toEqual(['configured', 'system']);
    expect(text('[data-testid="resolver-warning"]')).toEqual(["sender authentication runs on the machine's resolver"]);
    fixture.destroy();
  });
});
