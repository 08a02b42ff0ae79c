import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import type { SecurityFinding } from '../api/api.types';
import { SecurityLogPage } from './security-log.page';

const finding = (messageId: string, symbol: string, detail: string): SecurityFinding => ({
  atMs: Date.UTC(2026, 0, 1, 0, 10),
  messageId,
  nodeId: 'n1',
  nodeName: 'node-1',
  position: 1,
  symbol,
  score: 100,
  detail,
  stage: 'data',
  sender: 'mallory@evil.test',
  subject: 'invoice',
  clientIp: '192.0.2.7',
  action: 'quarantine',
});

async function setup() {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([{ path: 'security-log', component: SecurityLogPage }])] });
  const backend = TestBed.inject(HttpTestingController);
  await TestBed.inject(Router).navigateByUrl('/security-log?kind=AV_');
  const fixture = TestBed.createComponent(SecurityLogPage);
  fixture.detectChanges();
  await fixture.whenStable();
  return { fixture, backend, page: fixture.nativeElement as HTMLElement };
}

const rows = (page: HTMLElement) => [...page.querySelectorAll('[data-testid="finding-row"]')].map((r) => r.getAttribute('data-symbol'));

describe('SecurityLogPage', () => {
  it('lists the findings of the kind in the URL, links each to its message, and loads more pages until none is left', async () => {
    const { fixture, backend, page } = await setup();
    const first = backend.expectOne((r) => r.url === '/api/security-log');
    expect(first.request.params.get('kind')).toBe('AV_');
    expect(first.request.params.get('limit')).toBe('100');
    first.flush({ findings: [finding('m1', 'AV_VIRUS', 'Eicar-Signature')], nextCursor: 'c1' });
    await fixture.whenStable();
    expect(rows(page)).toEqual(['AV_VIRUS']);
    expect((page.querySelector('[data-testid="security-log-kind"]') as HTMLSelectElement).value).toBe('AV_');
    expect(page.querySelector('[data-testid="finding-message"]')?.getAttribute('href')).toBe('/mail/m1');
    expect(page.querySelector('[data-testid="finding-detail"]')?.textContent?.trim()).toBe('Eicar-Signature');

    (page.querySelector('[data-testid="security-log-more"]') as HTMLButtonElement).click();
    const second = backend.expectOne((r) => r.url === '/api/security-log');
    expect(second.request.params.get('cursor')).toBe('c1');
    expect(second.request.params.get('kind')).toBe('AV_');
    second.flush({ findings: [finding('m2', 'AV_HASH', 'sha256 match')], nextCursor: null });
    await fixture.whenStable();
    expect(rows(page)).toEqual(['AV_VIRUS', 'AV_HASH']);
    expect(page.querySelector('[data-testid="security-log-more"]')).toBeNull();
    expect(page.querySelector('[data-testid="security-log-count"]')?.textContent?.trim()).toBe('2 shown');
  });

  it('puts a chosen kind, sender and time range in the URL and searches with them', async () => {
    const { fixture, backend, page } = await setup();
    backend.expectOne((r) => r.url === '/api/security-log').flush({ findings: [], nextCursor: null });
    await fixture.whenStable();
    const kind = page.querySelector('[data-testid="security-log-kind"]') as HTMLSelectElement;
    kind.value = 'ATTACHMENT_';
    kind.dispatchEvent(new Event('change'));
    const sender = page.querySelector('[data-testid="security-log-sender"]') as HTMLInputElement;
    sender.value = 'mallory';
    sender.dispatchEvent(new Event('input'));
    const from = page.querySelector('[data-testid="security-log-from"]') as HTMLInputElement;
    from.value = '2026-01-01T00:00';
    from.dispatchEvent(new Event('change'));
    (page.querySelector('[data-testid="security-log-submit"]') as HTMLButtonElement).click();
    await fixture.whenStable();
    const call = backend.expectOne((r) => r.url === '/api/security-log');
    expect(call.request.params.get('kind')).toBe('ATTACHMENT_');
    expect(call.request.params.get('sender')).toBe('mallory');
    expect(call.request.params.has('ip')).toBe(false);
    expect(call.request.params.get('from')).toBe(new Date('2026-01-01T00:00').toISOString());
    expect(TestBed.inject(Router).url).toContain('kind=ATTACHMENT_');
  });

  it('says in words why the search failed', async () => {
    const { fixture, backend, page } = await setup();
    backend
      .expectOne((r) => r.url === '/api/security-log')
      .flush({ error: 'invalid security log search', problems: ['from: not a time'] }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="security-log-error"]')?.textContent?.trim()).toBe('Security log failed: 400: invalid security log search');
    expect(page.textContent).not.toContain('No finding matches.');
  });
});
