import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { ListsView, Me, Permission } from '../api/api.types';
import { IdentityService } from '../auth/identity.service';
import { fill, find } from '../testing/dom';
import { ListsPage } from './lists.page';

const me = (role: Me['role'], permissions: Permission[]): Me => ({ username: role, role, tenant: 'default', mustChangePassword: false, totpEnabled: false, createdAtMs: 0, updatedAtMs: 0, permissions });
const empty = { ipBlock: [], ipAllow: [], senderBlock: [], senderAllow: [] };
const view: ListsView = { version: 4, lists: { ...empty, ipBlock: ['192.0.2.1'] }, domains: [{ name: 'example.test', lists: empty }] };

async function open(account: Me) {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  const backend = TestBed.inject(HttpTestingController);
  TestBed.inject(IdentityService).load().subscribe();
  backend.expectOne('/api/auth/me').flush(account);
  const fixture = TestBed.createComponent(ListsPage);
  fixture.detectChanges();
  backend.expectOne('/api/lists').flush(view);
  await fixture.whenStable();
  fixture.detectChanges();
  return { fixture, backend, page: fixture.nativeElement as HTMLElement };
}

describe('ListsPage', () => {
  it('sends a pasted list with its comment and shows each refused line', async () => {
    const { fixture, backend, page } = await open(me('tenant-admin', ['policy:read', 'policy:write']));
    expect(page.querySelectorAll('[data-testid="list-entry"]')).toHaveLength(1);
    fill(page, '[data-testid="lists-paste"]', '192.0.2.9\nnope');
    fill(page, '[data-testid="lists-comment"]', 'ticket 7');
    find<HTMLButtonElement>(page, '[data-testid="lists-add"]').click();
    const post = backend.expectOne('/api/lists');
    expect(post.request.body).toEqual({ op: 'add', kind: 'ip-block', values: ['192.0.2.9', 'nope'], comment: 'ticket 7' });
    post.flush({ error: 'invalid list edit', problems: ['line 2: "nope" must be an IPv4/IPv6 address or CIDR block'] }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(find(page, '[data-testid="lists-outcome"]').textContent).toContain('Nothing changed: 400: invalid list edit');
    expect([...page.querySelectorAll('[data-testid="lists-problem"]')].map((p) => p.textContent)).toEqual(['line 2: "nope" must be an IPv4/IPv6 address or CIDR block']);
    fixture.destroy();
  });

  it('shows an auditor the lists without the add form or remove buttons', async () => {
    const { fixture, page } = await open(me('auditor', ['policy:read']));
    expect(page.querySelectorAll('[data-testid="list-entry"]')).toHaveLength(1);
    expect(page.querySelector('[data-testid="list-remove"]')).toBeNull();
    expect(page.querySelector('[data-testid="lists-add"]')).toBeNull();
    fixture.destroy();
  });
});
