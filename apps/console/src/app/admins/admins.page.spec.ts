import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Admin, Me } from '../api/api.types';
import { fill, find } from '../testing/dom';
import { IdentityService } from '../auth/identity.service';
import { AdminsPage } from './admins.page';

const admin = (username: string, role: Admin['role'], mustChangePassword = false): Admin => ({
  username,
  role,
  tenant: 'default',
  mustChangePassword,
  totpEnabled: false,
  createdAtMs: Date.UTC(2026, 11, 1),
  updatedAtMs: 0,
});

async function open(me: Me, admins: Admin[]) {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  const backend = TestBed.inject(HttpTestingController);
  TestBed.inject(IdentityService).load().subscribe();
  backend.expectOne('/api/auth/me').flush(me);
  const fixture = TestBed.createComponent(AdminsPage);
  fixture.detectChanges();
  backend.expectOne('/api/admins').flush({ admins });
  await fixture.whenStable();
  return { fixture, backend, page: fixture.nativeElement as HTMLElement };
}

const superAdmin: Me = { ...admin('admin', 'super-admin'), permissions: ['admins:read', 'admins:write'] };

describe('AdminsPage', () => {
  it('lists administrators and adds one with a generated password, shown once', async () => {
    const { fixture, backend, page } = await open(superAdmin, [admin('admin', 'super-admin'), admin('alice', 'auditor')]);
    expect([...page.querySelectorAll('[data-testid="admin-row"]')].map((r) => r.getAttribute('data-username'))).toEqual(['admin', 'alice']);
    // The bootstrap admin cannot be removed; alice can.
    expect(page.querySelectorAll('[data-testid="admin-remove"]')).toHaveLength(1);

    fill(page, '[data-testid="admin-name"]', 'bob');
    fill(page, '[data-testid="admin-role-select"]', 'approver');
    find<HTMLButtonElement>(page, '[data-testid="admin-add"]').click();
    const post = backend.expectOne('/api/admins');
    expect([post.request.method, post.request.body]).toEqual(['POST', { username: 'bob', role: 'approver' }]);
    post.flush({ admin: admin('bob', 'approver', true), password: 'Gen3rated-Pass' });
    backend.expectOne('/api/admins').flush({ admins: [admin('admin', 'super-admin'), admin('alice', 'auditor'), admin('bob', 'approver', true)] });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="generated-password"]')?.textContent).toBe('Gen3rated-Pass');
    expect(page.querySelectorAll('[data-testid="admin-row"]')).toHaveLength(3);
    fixture.destroy();
  });

  it('shows an auditor the list without the add form or remove buttons', async () => {
    const auditor: Me = { ...admin('audrey', 'auditor'), permissions: ['admins:read'] };
    const { fixture, page } = await open(auditor, [admin('admin', 'super-admin'), admin('audrey', 'auditor')]);
    expect(page.querySelectorAll('[data-testid="admin-row"]')).toHaveLength(2);
    expect(page.querySelector('[data-testid="admin-add"]')).toBeNull();
    expect(page.querySelector('[data-testid="admin-remove"]')).toBeNull();
    fixture.destroy();
  });

  it("shows the CSM's reasons when an add is refused", async () => {
    const { fixture, backend, page } = await open(superAdmin, []);
    find<HTMLButtonElement>(page, '[data-testid="admin-add"]').click();
    backend.expectOne('/api/admins').flush({ error: 'the password does not follow the password rules', problems: ['password: at least 12 characters'] }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="admins-error"]')?.textContent).toContain('password: at least 12 characters');
    fixture.destroy();
  });
});
