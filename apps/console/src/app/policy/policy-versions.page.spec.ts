import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { Me, Permission, PolicyVersionInfo } from '../api/api.types';
import { IdentityService } from '../auth/identity.service';
import { find } from '../testing/dom';
import { diffCells as cells } from './testing';
import { PolicyVersionsPage } from './policy-versions.page';

const VERSIONS: PolicyVersionInfo[] = [
  { version: 1, createdAtMs: Date.UTC(2026, 11, 7, 10), author: 'bootstrap', comment: 'default policy' },
  { version: 2, createdAtMs: Date.UTC(2026, 11, 7, 11), author: 'alice', comment: 'add example.test' },
  { version: 3, createdAtMs: Date.UTC(2026, 11, 7, 12), author: 'bob', comment: 'tag earlier' },
];
const me = (role: Me['role'], permissions: Permission[]): Me => ({ username: role, role, tenant: 'default', mustChangePassword: false, totpEnabled: false, createdAtMs: 0, updatedAtMs: 0, permissions });

async function open(account: Me) {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
  const backend = TestBed.inject(HttpTestingController);
  TestBed.inject(IdentityService).load().subscribe();
  backend.expectOne('/api/auth/me').flush(account);
  const fixture = TestBed.createComponent(PolicyVersionsPage);
  fixture.detectChanges();
  backend.expectOne('/api/policy/versions').flush(VERSIONS);
  await fixture.whenStable();
  const page = fixture.nativeElement as HTMLElement;
  const text = (selector: string) => [...page.querySelectorAll(selector)].map((e) => e.textContent?.trim().replace(/\s+/g, ' '));
  return { fixture, backend, page, text };
}

describe('PolicyVersionsPage', () => {
  it('lists the versions newest first and compares the last two by default', async () => {
    const { fixture, backend, page, text } = await open(me('tenant-admin', ['policy:read', 'policy:write']));
    expect(text('[data-testid="version-number"]')).toEqual(['3 running', '2', '1']);
    expect(text('[data-testid="version-author"]')).toEqual(['bob', 'alice', 'bootstrap']);
    expect(page.querySelectorAll('[data-testid="version-rollback"]')).toHaveLength(2);
    find<HTMLButtonElement>(page, '[data-testid="diff-show"]').click();
    const diff = backend.expectOne((r) => r.url === '/api/policy/diff');
    expect([diff.request.params.get('from'), diff.request.params.get('to')]).toEqual(['2', '3']);
    diff.flush({ from: 2, to: 3, changes: [{ path: 'thresholds.tag', op: 'change', from: 5, to: 4 }] });
    await fixture.whenStable();
    expect(cells(page)).toEqual([['thresholds.tag', 'changed', '5', '4']]);

    find<HTMLButtonElement>(page, '[data-version="2"] [data-testid="version-view"]').click();
    backend.expectOne('/api/policy/versions/2').flush({ ...VERSIONS[1], policy: { thresholds: { tag: 5 } } });
    await fixture.whenStable();
    expect(find(page, '[data-testid="version-document"]').textContent).toContain('"tag": 5');
    fixture.destroy();
  });

  it('rolls back after the confirmation, asks again when the rollback stops mail, and shows the new version', async () => {
    const { fixture, backend, page, text } = await open(me('tenant-admin', ['policy:read', 'policy:write']));
    find<HTMLButtonElement>(page, '[data-version="1"] [data-testid="version-rollback"]').click();
    await fixture.whenStable();
    expect(find(page, '#rollback-title').textContent).toBe('Roll back to version 1?');
    find<HTMLButtonElement>(page, '[data-testid="rollback-confirm"]').click();
    const first = backend.expectOne('/api/policy/rollback');
    expect(first.request.body).toEqual({ version: 1, comment: '', confirm: false });
    first.flush({ error: 'this change stops mail', problems: ['no domains left: every message will be refused (relaying denied)'] }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();
    expect(text('[data-testid="rollback-warnings"] li')).toEqual(['no domains left: every message will be refused (relaying denied)']);
    expect(find<HTMLButtonElement>(page, '[data-testid="rollback-confirm"]').disabled).toBe(true);
    const confirm = find<HTMLInputElement>(page, '[data-testid="rollback-confirm-stop"]');
    confirm.checked = true;
    confirm.dispatchEvent(new Event('change'));
    await fixture.whenStable();
    find<HTMLButtonElement>(page, '[data-testid="rollback-confirm"]').click();
    const second = backend.expectOne('/api/policy/rollback');
    expect(second.request.body).toEqual({ version: 1, comment: '', confirm: true });
    second.flush({ version: 4, policy: {} });
    backend.expectOne('/api/policy/versions').flush([...VERSIONS, { version: 4, createdAtMs: Date.UTC(2026, 11, 7, 13), author: 'tenant-admin', comment: 'rollback to version 1' }]);
    await fixture.whenStable();
    expect(text('[data-testid="rollback-result"]')).toEqual(['Rolled back: version 4 now runs the document of version 1.']);
    expect(text('[data-testid="version-number"]')[0]).toBe('4 running');
    fixture.destroy();
  });

  it('offers no rollback to a role that cannot write policy', async () => {
    const { fixture, page } = await open(me('auditor', ['policy:read']));
    expect(page.querySelectorAll('[data-testid="version-row"]')).toHaveLength(3);
    expect(page.querySelector('[data-testid="version-rollback"]')).toBeNull();
    fixture.destroy();
  });
});
