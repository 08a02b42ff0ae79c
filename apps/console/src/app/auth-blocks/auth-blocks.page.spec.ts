import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { AuthBlock, Me, Permission } from '../api/api.types';
import { IdentityService } from '../auth/identity.service';
import { AuthBlocksPage } from './auth-blocks.page';

const BLOCK: AuthBlock = {
  ip: '203.0.113.9',
  firstSeenMs: Date.UTC(2026, 0, 1, 0, 10),
  lastSeenMs: Date.UTC(2026, 0, 1, 0, 12),
  expiresAtMs: Date.UTC(2026, 0, 1, 0, 25),
  failures: 10,
  blocks: 2,
  source: 'auto',
  rule: 'outbound.authFailures: 10 failures in 900 s',
  country: 'FR',
  epoch: 0,
  active: true,
};

async function setup(permissions: Permission[]) {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  const backend = TestBed.inject(HttpTestingController);
  const me: Me = { username: 'a', role: 'tenant-admin', tenant: 'default', mustChangePassword: false, totpEnabled: false, createdAtMs: 0, updatedAtMs: 0, permissions };
  TestBed.inject(IdentityService).load().subscribe();
  backend.expectOne('/api/auth/me').flush(me);
  const fixture = TestBed.createComponent(AuthBlocksPage);
  await vi.waitFor(() => backend.expectOne('/api/auth-blocks').flush({ blocks: [BLOCK, { ...BLOCK, ip: '2001:db8::1', expiresAtMs: 0, source: 'manual', rule: 'manual by root: scanner', country: '' }] }));
  await fixture.whenStable();
  return { fixture, backend, page: fixture.nativeElement as HTMLElement };
}

describe('AuthBlocksPage', () => {
  it('shows every column of each block; Unblock asks the CSM to remove it', async () => {
    const { fixture, backend, page } = await setup(['authblocks:read', 'authblocks:write']);
    const rows = [...page.querySelectorAll('[data-testid="auth-block-row"]')].map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim()));
    expect(rows[0]).toEqual(['203.0.113.9', '2026-01-01 00:10', '2026-01-01 00:12', '2026-01-01 00:25 UTC', '10', '2', 'auto', 'outbound.authFailures: 10 failures in 900 s', 'FR', 'Unblock']);
    expect(rows[1]?.slice(3, 9)).toEqual(['permanent', '10', '2', 'manual', 'manual by root: scanner', '—']);
    page.querySelector<HTMLButtonElement>('[data-testid="auth-block-remove"]')?.click();
    const request = backend.expectOne('/api/auth-blocks/203.0.113.9');
    expect(request.request.method).toBe('DELETE');
    request.flush({ ...BLOCK, active: false });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="auth-blocks-result"]')?.textContent).toContain('203.0.113.9 unblocked on every node');
  });

  it('adds a block for the chosen period', async () => {
    const { fixture, backend, page } = await setup(['authblocks:read', 'authblocks:write']);
    const input = (id: string) => page.querySelector(`[data-testid="${id}"]`) as HTMLInputElement;
    input('auth-block-ip').value = '192.0.2.44';
    input('auth-block-ip').dispatchEvent(new Event('input'));
    input('auth-block-reason').value = 'scanner';
    input('auth-block-reason').dispatchEvent(new Event('input'));
    await fixture.whenStable();
    page.querySelector<HTMLButtonElement>('[data-testid="auth-block-add"]')?.click();
    const request = backend.expectOne('/api/auth-blocks');
    expect(request.request.body).toEqual({ ip: '192.0.2.44', forSeconds: 86_400, reason: 'scanner' });
    request.flush({ ...BLOCK, ip: '192.0.2.44' });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="auth-blocks-result"]')?.textContent).toContain('192.0.2.44 blocked on every node');
  });

  it('offers neither the form nor Unblock to a reader', async () => {
    const { page } = await setup(['authblocks:read']);
    expect(page.querySelector('[data-testid="auth-block-form"]')).toBeNull();
    expect(page.querySelector('[data-testid="auth-block-remove"]')).toBeNull();
    expect(page.querySelectorAll('[data-testid="auth-block-row"]')).toHaveLength(2);
  });
});
