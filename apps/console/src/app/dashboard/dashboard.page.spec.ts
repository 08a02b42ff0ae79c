import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Stats } from '../api/api.types';
import { DashboardPage } from './dashboard.page';

describe('DashboardPage', () => {
  it('asks for the last 7 days and shows totals per verdict and per day', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const stats: Stats = {
      total: 12,
      byDirectionAction: [
        { direction: 'inbound', action: 'deliver', count: 9 },
        { direction: 'inbound', action: 'reject', count: 2 },
        { direction: 'outbound', action: 'deliver', count: 1 },
      ],
      daily: [
        { day: today, direction: 'inbound', action: 'deliver', count: 9 },
        { day: today, direction: 'inbound', action: 'reject', count: 2 },
        { day: today, direction: 'outbound', action: 'deliver', count: 1 },
      ],
    };
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    const fixture = TestBed.createComponent(DashboardPage);
    const backend = TestBed.inject(HttpTestingController);
    await vi.waitFor(() => {
      const req = backend.expectOne((r) => r.url === '/api/stats');
      const from = Number(req.request.params.get('from'));
      expect(Date.now() - from).toBeGreaterThan(6 * 86_400_000);
      expect(Date.now() - from).toBeLessThanOrEqual(7 * 86_400_000);
      req.flush(stats);
    });
    await fixture.whenStable();

    const page = fixture.nativeElement as HTMLElement;
    const text = (selector: string) => page.querySelector(selector)?.textContent?.trim();
    expect(text('[data-testid="total-messages"]')).toBe('12');
    expect(text('[data-testid="total-inbound"]')).toBe('11');
    expect(text('[data-testid="total-deliver"]')).toBe('10');
    expect(text('[data-testid="total-reject"]')).toBe('2');
    expect(page.querySelector('[data-testid="total-unspecified"]')).toBeNull();
    expect(page.querySelector('[data-testid="daily-unspecified"]')).toBeNull();
    expect(page.querySelectorAll('[data-testid="daily-inbound"] tbody tr')).toHaveLength(7);
    expect(text(`[data-testid="daily-inbound"] [data-testid="day-${today}"] [data-testid="day-total"]`)).toBe('11');
    expect(text('[data-testid="daily-outbound"] [data-testid="sum-total"]')).toBe('1');
    fixture.destroy();
  });
});
