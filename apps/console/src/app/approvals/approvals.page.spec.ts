import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { Me, PendingApproval, Permission } from '../api/api.types';
import { IdentityService } from '../auth/identity.service';
import { ApprovalsPage } from './approvals.page';

const HELD = { id: 'm1', receivedAtMs: Date.UTC(2026, 0, 1, 0, 10), nodeId: 'n1', nodeName: 'node-1', direction: 'outbound', mailFrom: 'alice@example.test', rcptTo: ['carol@remote.test'], subject: 'staff list', clientIp: '127.0.0.1', action: 'hold', score: 0, deliveryStatus: 'held', released: false, reasons: ['APPROVAL_RULE zip outside: attachment zip', 'DLP_RRN 5 distinct (900101-1******) in 1'] } as PendingApproval;

async function setup(permissions: Permission[]) {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
  const backend = TestBed.inject(HttpTestingController);
  const me: Me = { username: 'a', role: 'approver', tenant: 'default', mustChangePassword: false, totpEnabled: false, createdAtMs: 0, updatedAtMs: 0, permissions };
  TestBed.inject(IdentityService).load().subscribe();
  backend.expectOne('/api/auth/me').flush(me);
  const fixture = TestBed.createComponent(ApprovalsPage);
  await vi.waitFor(() => backend.expectOne('/api/approvals').flush({ messages: [HELD] }));
  await fixture.whenStable();
  return { fixture, backend, page: fixture.nativeElement as HTMLElement };
}

describe('ApprovalsPage', () => {
  it('lists held outbound mail; Reject sends the typed reason and hides the row', async () => {
    const { fixture, backend, page } = await setup(['approvals:read', 'approvals:decide']);
    const text = (id: string) => page.querySelector(`[data-testid="${id}"]`)?.textContent?.trim();
    expect(text('approval-subject')).toBe('staff list');
    expect(text('approval-reasons')).toBe('APPROVAL_RULE zip outside: attachment zip; DLP_RRN 5 distinct (900101-1******) in 1');
    const reason = page.querySelector('[data-testid="approval-reason"]') as HTMLInputElement;
    reason.value = 'customer data';
    reason.dispatchEvent(new Event('input'));
    (page.querySelector('[data-testid="approval-reject"]') as HTMLButtonElement).click();
    const call = backend.expectOne({ method: 'POST', url: '/api/approvals/m1/reject' });
    expect(call.request.body).toEqual({ reason: 'customer data' });
    call.flush({ id: 'm1', decision: 'rejected', nodeId: 'n1', detail: 'sender told' });
    await fixture.whenStable();
    expect(text('approvals-result')).toBe('m1 rejected: sender told');
    expect(page.querySelector('[data-testid="approval-subject"]')).toBeNull();
  });

  it('approves', async () => {
    const { fixture, backend, page } = await setup(['approvals:read', 'approvals:decide']);
    (page.querySelector('[data-testid="approval-approve"]') as HTMLButtonElement).click();
    backend.expectOne({ method: 'POST', url: '/api/approvals/m1/approve' }).flush({ id: 'm1', decision: 'approved', nodeId: 'n1', detail: 'queued' });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="approvals-result"]')?.textContent?.trim()).toBe('m1 approved: queued');
  });

  it('offers no decision without approvals:decide', async () => {
    const { page } = await setup(['approvals:read']);
    expect(page.querySelector('[data-testid="approval-approve"]')).toBeNull();
  });
});
