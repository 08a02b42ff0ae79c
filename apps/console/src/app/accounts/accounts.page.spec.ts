import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { AccountsView, Me, Permission } from '../api/api.types';
import { IdentityService } from '../auth/identity.service';
import { fill, find } from '../testing/dom';
import { AccountsPage } from './accounts.page';

const me = (role: Me['role'], permissions: Permission[]): Me => ({ username: role, role, tenant: 'default', mustChangePassword: false, totpEnabled: false, createdAtMs: 0, updatedAtMs: 0, permissions });
const view: AccountsView = {
  version: 5,
  domains: [{ name: 'example.test', accounts: ['alice', 'bob'] }],
  senders: [{ address: 'alice@example.test', canSend: true, hasPassword: true, aliases: [] }],
};

async function open(account: Me) {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  const backend = TestBed.inject(HttpTestingController);
  TestBed.inject(IdentityService).load().subscribe();
  backend.expectOne('/api/auth/me').flush(account);
  const fixture = TestBed.createComponent(AccountsPage);
  fixture.detectChanges();
  backend.expectOne('/api/accounts').flush(view);
  await fixture.whenStable();
  fixture.detectChanges();
  return { fixture, backend, page: fixture.nativeElement as HTMLElement };
}

describe('AccountsPage', () => {
  it('imports pasted CSV lines and shows the problems of each refused line', async () => {
    const { fixture, backend, page } = await open(me('tenant-admin', ['policy:read', 'policy:write']));
    expect(find(page, '[data-testid="account-row"][data-address="alice@example.test"] [data-testid="account-password"]').textContent).toBe('set');
    fill(page, '[data-testid="accounts-csv"]', 'carol@example.test\nnope');
    find<HTMLButtonElement>(page, '[data-testid="accounts-import"]').click();
    const post = backend.expectOne('/api/accounts/import');
    expect(post.request.body).toEqual({ csv: 'carol@example.test\nnope', replace: false });
    post.flush({ error: 'invalid accounts file', problems: ['line 2: "nope" is not an email address'] }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(find(page, '[data-testid="accounts-outcome"]').textContent).toContain('Nothing imported: 400: invalid accounts file');
    expect([...page.querySelectorAll('[data-testid="accounts-problem"]')].map((p) => p.textContent)).toEqual(['line 2: "nope" is not an email address']);
    fixture.destroy();
  });

  it('shows an auditor the accounts without the import form', async () => {
    const { fixture, page } = await open(me('auditor', ['policy:read']));
    expect(page.querySelectorAll('[data-testid="account-row"]')).toHaveLength(2);
    expect(page.querySelector('[data-testid="accounts-import"]')).toBeNull();
    fixture.destroy();
  });
});
