import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { DirectorySettings, DirectorySyncReport, Me, Permission } from '../api/api.types';
import { IdentityService } from '../auth/identity.service';
import { changeRows, DirectoryPage, parseGroupRoles } from './directory.page';

const SETTINGS: DirectorySettings = {
  tenant: 'default',
  preset: 'openldap',
  url: 'ldap://ldap.example.test',
  startTls: true,
  bindDn: 'cn=reader,dc=example,dc=test',
  hasBindPassword: true,
  baseDn: 'dc=example,dc=test',
  userFilter: '(uid=*)',
  attributes: { login: 'uid', mail: 'mail', aliases: [], displayName: 'cn' },
  groupBaseDn: 'ou=groups,dc=example,dc=test',
  groupFilter: '(objectClass=groupOfNames)',
  groupNameAttribute: 'cn',
  groupMemberAttribute: 'member',
  groupRoles: [{ group: 'moat-approvers', role: 'approver' }],
  scheduleMinutes: 60,
  updatedAtMs: 0,
};

const REPORT: DirectorySyncReport = {
  atMs: Date.UTC(2026, 0, 1, 10, 0),
  dryRun: true,
  ok: true,
  author: 'root',
  added: [{ address: 'alice@example.test', aliases: ['a@example.test'], displayName: 'Alice', dn: 'uid=alice', login: 'alice' }],
  changed: [{ address: 'bob@example.test', changes: ['alias removed: b@example.test'] }],
  removed: [{ address: 'carol@example.test', aliases: [], displayName: 'Carol', dn: 'uid=carol', login: 'carol' }],
  groups: [
    { name: 'sales', members: ['alice@example.test'], change: 'add' },
    { name: 'same', members: [], change: 'same' },
  ],
  roles: [{ username: 'alice', role: 'approver', change: 'grant' }],
  skipped: ['uid=eve: eve@elsewhere.test is not at one of the tenant\'s domains'],
};

async function setup(permissions: Permission[]) {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  const backend = TestBed.inject(HttpTestingController);
  const me: Me = { username: 'root', role: 'tenant-admin', tenant: 'default', mustChangePassword: false, totpEnabled: false, createdAtMs: 0, updatedAtMs: 0, permissions };
  TestBed.inject(IdentityService).load().subscribe();
  backend.expectOne('/api/auth/me').flush(me);
  const fixture = TestBed.createComponent(DirectoryPage);
  fixture.detectChanges();
  backend.expectOne('/api/directory').flush({ settings: SETTINGS, lastSync: null });
  await fixture.whenStable();
  return { fixture, backend, page: fixture.nativeElement as HTMLElement };
}

describe('DirectoryPage', () => {
  it('reads group: role lines', () => {
    expect(parseGroupRoles(' moat-approvers: approver\n\nIT staff : auditor\nbare')).toEqual([
      { group: 'moat-approvers', role: 'approver' },
      { group: 'IT staff', role: 'auditor' },
      { group: 'bare', role: '' },
    ]);
  });

  it('lists a report as rows, without the groups that stay the same', () => {
    expect(changeRows(REPORT).map((r) => `${r.kind} ${r.name} ${r.change}`)).toEqual([
      'account alice@example.test add (aliases a@example.test)',
      'account bob@example.test alias removed: b@example.test',
      'account carol@example.test remove',
      'group sales add (1 members)',
      'administrator alice grant approver',
    ]);
  });

  it('saves the form keeping the stored filters and password, and shows a dry run', async () => {
    const { fixture, backend, page } = await setup(['directory:read', 'directory:write']);
    expect((page.querySelector('[data-testid="directory-url"]') as HTMLInputElement).value).toBe('ldap://ldap.example.test');
    page.querySelector<HTMLButtonElement>('[data-testid="directory-save"]')?.click();
    const put = backend.expectOne('/api/directory');
    expect(put.request.method).toBe('PUT');
    expect(put.request.body).toMatchObject({ url: 'ldap://ldap.example.test', userFilter: '(uid=*)', groupRoles: [{ group: 'moat-approvers', role: 'approver' }], scheduleMinutes: 60 });
    expect(put.request.body).not.toHaveProperty('bindPassword');
    put.flush({ settings: SETTINGS, lastSync: null });
    await fixture.whenStable();
    page.querySelector<HTMLButtonElement>('[data-testid="directory-dry-run"]')?.click();
    const sync = backend.expectOne('/api/directory/sync');
    expect(sync.request.body).toEqual({ dryRun: true });
    sync.flush(REPORT);
    await fixture.whenStable();
    expect(page.querySelectorAll('[data-testid="directory-change-row"]')).toHaveLength(5);
    expect(page.querySelector('[data-testid="directory-notice"]')?.textContent).toContain('Dry run: nothing was changed');
  });

  it('shows the settings read-only without directory:write', async () => {
    const { page } = await setup(['directory:read']);
    expect(page.querySelector('[data-testid="directory-save"]')).toBeNull();
  });
});
