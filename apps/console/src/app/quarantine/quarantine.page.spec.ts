import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { HeldRow, Me, Permission, QuarantinePage as Page } from '../api/api.types';
import { IdentityService } from '../auth/identity.service';
import { fill, find } from '../testing/dom';
import { QuarantinePage } from './quarantine.page';

const me = (role: Me['role'], permissions: Permission[]): Me => ({ username: role, role, tenant: 'default', mustChangePassword: false, totpEnabled: false, createdAtMs: 0, updatedAtMs: 0, permissions });

const held = (id: string, reason: HeldRow['reason']): HeldRow => ({
  id, receivedAtMs: Date.now() - 60_000, nodeId: 'n1', nodeName: 'node-1', direction: 'inbound', mailFrom: 'x@remote.test', rcptTo: ['alice@example.test'],
  subject: id, clientIp: '192.0.2.1', action: 'quarantine', score: 3, deliveryStatus: 'quarantined', released: false, attachmentNames: [],
  reason, reasonSymbols: reason === 'virus' ? ['AV_VIRUS'] : [], expiresAtMs: Date.now() + 10 * 86_400_000,
});

const listing: Page = {
  messages: [held('m1', 'virus'), held('m2', 'spam')],
  nextCursor: null,
  counts: { virus: 1, attachment: 0, dlp: 0, authentication: 0, spam: 1, hold: 0 },
  total: 2,
  days: 30,
  truncated: false,
};

async function open(account: Me) {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
  const backend = TestBed.inject(HttpTestingController);
  TestBed.inject(IdentityService).load().subscribe();
  backend.expectOne('/api/auth/me').flush(account);
  const fixture = TestBed.createComponent(QuarantinePage);
  fixture.detectChanges();
  backend.expectOne((r) => r.url === '/api/quarantine').flush(listing);
  await fixture.whenStable();
  fixture.detectChanges();
  return { fixture, backend, page: fixture.nativeElement as HTMLElement };
}

describe('QuarantinePage', () => {
  it('shows counts per reason, the expiry, and every action to a tenant admin', async () => {
    const { fixture, page } = await open(me('tenant-admin', ['mail:read', 'mail:release', 'mail:delete', 'policy:write']));
    expect(page.querySelectorAll('[data-testid="held-row"]')).toHaveLength(2);
    expect(find(page, '[data-testid="reason-virus"] [data-testid="reason-count"]').textContent).toBe('1');
    expect(find(page, '[data-testid="reason-all"] [data-testid="reason-count"]').textContent).toBe('2');
    expect(find(page, '[data-testid="held-expires"]').textContent).toBe('in 9 days');
    expect(page.querySelector('[data-testid="bulk-release"]')).not.toBeNull();
    expect(page.querySelector('[data-testid="bulk-delete"]')).not.toBeNull();
    expect(page.querySelector('[data-testid="quarantine-days-save"]')).not.toBeNull();
    fixture.destroy();
  });

  it('filters by recipient and time through the URL', async () => {
    const { fixture, backend, page } = await open(me('auditor', ['mail:read']));
    fill(page, '[data-testid="quarantine-rcpt"]', 'bob@');
    fill(page, '[data-testid="quarantine-from"]', '2026-12-01T10:00');
    find<HTMLButtonElement>(page, '[data-testid="quarantine-filter"]').click();
    await fixture.whenStable();
    const request = backend.expectOne((r) => r.url === '/api/quarantine');
    expect(request.request.params.get('rcpt')).toBe('bob@');
    expect(request.request.params.get('from')).toBe(new Date('2026-12-01T10:00').toISOString());
    expect(request.request.params.has('to')).toBe(false);
    request.flush({ ...listing, messages: [], total: 0 });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(find(page, '[data-testid="quarantine-empty"]').textContent?.trim()).toBe('Nothing is held.');
    fixture.destroy();
  });

  it('offers an approver release only, and an auditor no action at all', async () => {
    const approver = await open(me('approver', ['mail:read', 'mail:release']));
    expect(approver.page.querySelector('[data-testid="bulk-release"]')).not.toBeNull();
    expect(approver.page.querySelector('[data-testid="bulk-delete"]')).toBeNull();
    expect(approver.page.querySelector('[data-testid="quarantine-days-save"]')).toBeNull();
    approver.fixture.destroy();
    TestBed.resetTestingModule();
    const auditor = await open(me('auditor', ['mail:read', 'policy:read']));
    expect(auditor.page.querySelectorAll('[data-testid="held-row"]')).toHaveLength(2);
    expect(auditor.page.querySelector('[data-testid="select-row"]')).toBeNull();
    expect(auditor.page.querySelector('[data-testid="bulk-release"]')).toBeNull();
    auditor.fixture.destroy();
  });
});
