import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ClusterStatus, Dashboard } from '../api/api.types';
import { DashboardPage } from './dashboard.page';

const HOUR = 3_600_000;

describe('DashboardPage', () => {
  it('asks for the last 24 hours and links each count to the mail search of that range', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR;
    const answer = (spam: number): Dashboard => ({
      fromMs: hour - 23 * HOUR,
      toMs: hour + HOUR,
      bucket: 'hour',
      bucketStarts: Array.from({ length: 24 }, (_, i) => hour - (23 - i) * HOUR),
      buckets: [{ startMs: hour, direction: 'inbound', category: 'spam', count: spam }],
      totals: [{ direction: 'inbound', category: 'spam', count: spam }],
      total: spam,
      tops: { senders: [], recipients: [], spamRecipients: [{ key: 'bob@example.test', count: spam }], viruses: [], symbols: [], clientIps: [] },
    });
    const status: ClusterStatus = { policyVersion: 1, nats: { ok: true, detail: '' }, clickhouse: { ok: true, detail: '' }, bodyStore: null, nodes: [] };
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    const fixture = TestBed.createComponent(DashboardPage);
    const backend = TestBed.inject(HttpTestingController);
    await vi.waitFor(() => {
      const req = backend.expectOne((r) => r.url === '/api/dashboard');
      const from = Number(req.request.params.get('from'));
      expect(Number(req.request.params.get('to')) - from).toBe(24 * HOUR);
      req.flush(answer(2));
      backend.expectOne('/api/status').flush(status);
    });
    await fixture.whenStable();

    const page = fixture.nativeElement as HTMLElement;
    const spamCell = () => page.querySelector<HTMLAnchorElement>('[data-testid="category-spam"] [data-testid="count-inbound"]');
    const cell = spamCell();
    expect(cell?.textContent?.trim()).toBe('2');
    const link = new URL(cell?.href ?? '', 'https://console.test');
    expect(link.pathname).toBe('/mail');
    expect(Object.fromEntries(link.searchParams)).toEqual({ direction: 'inbound', category: 'spam', from: new Date(hour - 23 * HOUR).toISOString(), to: new Date(hour + HOUR).toISOString() });
    expect(page.querySelectorAll('[data-testid="chart"] .column')).toHaveLength(24);
    expect(page.querySelector('[data-testid="top-spamRecipients"] a')?.getAttribute('href')).toContain('rcpt=bob@example.test&category=spam');
    expect(page.querySelector('[data-testid="node-resources"]')?.textContent).toContain('No node is enrolled.');
    fixture.destroy();
  });
});
