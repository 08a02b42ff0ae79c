import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { HeldDomain, Me, Permission } from '../api/api.types';
import { IdentityService } from '../auth/identity.service';
import { HoldsPage } from './holds.page';

const HELD: HeldDomain = {
  domain: 'held.test',
  messages: 5,
  bytes: 2048,
  oldestReceivedAtMs: Date.UTC(2026, 0, 1, 0, 10),
  releaseAtMs: Date.UTC(2026, 0, 1, 2, 0),
  nextHoldAtMs: Date.UTC(2026, 0, 2, 0, 0),
  nodes: [
    { nodeId: 'n1', nodeName: 'node-1', up: true, messages: 2, bytes: 1024, oldestReceivedAtMs: 1, releaseAtMs: 1 },
    { nodeId: 'n2', nodeName: 'node-2', up: false, messages: 3, bytes: 1024, oldestReceivedAtMs: 1, releaseAtMs: 1 },
  ],
};

async function setup(permissions: Permission[]) {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  const backend = TestBed.inject(HttpTestingController);
  const me: Me = { username: 'a', role: 'tenant-admin', tenant: 'default', mustChangePassword: false, totpEnabled: false, createdAtMs: 0, updatedAtMs: 0, permissions };
  TestBed.inject(IdentityService).load().subscribe();
  backend.expectOne('/api/auth/me').flush(me);
  const fixture = TestBed.createComponent(HoldsPage);
  await vi.waitFor(() => backend.expectOne('/api/holds').flush({ domains: [HELD] }));
  await fixture.whenStable();
  return { fixture, backend, page: fixture.nativeElement as HTMLElement };
}

describe('HoldsPage', () => {
  it('shows each domain\'s held mail across nodes and when it goes; Release asks the CSM', async () => {
    const { fixture, backend, page } = await setup(['mail:read', 'mail:release']);
    const text = (id: string) => page.querySelector(`[data-testid="${id}"]`)?.textContent?.trim();
    expect(text('hold-messages')).toBe('5');
    expect(text('hold-size')).toBe('2.0 KiB');
    expect(text('hold-release-at')).toBe('2026-01-01 02:00 UTC');
    expect(text('hold-nodes')).toContain('node-2: 3 (down)');
    (page.querySelector('[data-testid="hold-release"]') as HTMLButtonElement).click();
    backend.expectOne({ method: 'POST', url: '/api/holds/held.test/release' }).flush({ domain: 'held.test', nodes: [{ nodeId: 'n1', ok: true, detail: 'ok' }] });
    await fixture.whenStable();
    expect(text('holds-result')).toBe('held.test: released on 1 of 1 node(s)');
  });

  it('offers no Release without mail:release', async () => {
    const { page } = await setup(['mail:read']);
    expect(page.querySelector('[data-testid="hold-release"]')).toBeNull();
  });
});
