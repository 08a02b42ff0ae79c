import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { Me, Permission } from '../api/api.types';
import { ShellComponent } from './shell.component';

const me = (role: Me['role'], permissions: Permission[], mustChangePassword = false): Me => ({
  username: `${role}-1`,
  role,
  tenant: 'default',
  mustChangePassword,
  totpEnabled: false,
  createdAtMs: 0,
  updatedAtMs: 0,
  permissions,
});

/** The navigation links the shell shows for an account, once GET /api/auth/me answered. */
async function navFor(account: Me): Promise<string[]> {
  TestBed.configureTestingModule({ providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
  const fixture = TestBed.createComponent(ShellComponent);
  fixture.detectChanges();
  TestBed.inject(HttpTestingController).expectOne('/api/auth/me').flush(account);
  await fixture.whenStable();
  const links = [...(fixture.nativeElement as HTMLElement).querySelectorAll('nav a')].map((a) => a.getAttribute('data-testid') ?? '');
  fixture.destroy();
  return links;
}

describe('ShellComponent', () => {
  it('offers a super admin every page', async () => {
    expect(await navFor(me('super-admin', ['session', 'status:read', 'admins:read', 'admins:write']))).toEqual(['nav-dashboard', 'nav-statistics', 'nav-nodes', 'nav-admins', 'nav-account']);
  });

  it('hides the pages a role cannot use', async () => {
    expect(await navFor(me('auditor', ['session', 'status:read', 'admins:read']))).toEqual(['nav-dashboard', 'nav-statistics', 'nav-nodes', 'nav-admins', 'nav-account']);
    TestBed.resetTestingModule();
    expect(await navFor(me('approver', ['session', 'mail:read', 'mail:release']))).toEqual(['nav-mail', 'nav-holds', 'nav-security-log', 'nav-quarantine', 'nav-account']);
    TestBed.resetTestingModule();
    expect(await navFor(me('approver', ['session', 'mail:read', 'mail:release', 'approvals:read', 'approvals:decide']))).toEqual(['nav-mail', 'nav-holds', 'nav-approvals', 'nav-security-log', 'nav-quarantine', 'nav-account']);
    TestBed.resetTestingModule();
    expect(await navFor(me('auditor', ['session', 'policy:read']))).toEqual(['nav-certificates', 'nav-dkim', 'nav-lists', 'nav-accounts', 'nav-policy', 'nav-account']);
  });

  it('offers only the account page while the password must be changed', async () => {
    expect(await navFor(me('super-admin', ['session', 'status:read', 'admins:read'], true))).toEqual(['nav-account']);
  });
});
