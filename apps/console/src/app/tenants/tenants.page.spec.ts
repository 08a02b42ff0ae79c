import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Tenant } from '../api/api.types';
import { TenantsPage } from './tenants.page';

const TENANTS: Tenant[] = [
  { id: 'default', name: 'Demo tenant', createdAtMs: 0, domains: ['example.test'], policyVersion: 7, admins: 2 },
  { id: 'acme', name: 'Acme', createdAtMs: 1, domains: [], policyVersion: 1, admins: 0 },
];

async function setup() {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  const backend = TestBed.inject(HttpTestingController);
  const fixture = TestBed.createComponent(TenantsPage);
  await vi.waitFor(() => backend.expectOne('/api/tenants').flush({ tenants: TENANTS }));
  await fixture.whenStable();
  return { fixture, backend, page: fixture.nativeElement as HTMLElement };
}

describe('TenantsPage', () => {
  it('lists each tenant; default cannot be removed; Remove asks the CSM and shows its refusal', async () => {
    const { fixture, backend, page } = await setup();
    const rows = [...page.querySelectorAll('[data-testid="tenant-row"]')].map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim()));
    expect(rows).toEqual([
      ['default', 'Demo tenant', 'example.test', 'v7', '2', ''],
      ['acme', 'Acme', '—', 'v1', '0', 'Remove'],
    ]);
    page.querySelector<HTMLButtonElement>('[data-testid="tenant-remove"]')?.click();
    const request = backend.expectOne('/api/tenants/acme');
    expect(request.request.method).toBe('DELETE');
    request.flush({ error: 'tenant acme still has domains or administrators', problems: ['administrator x'] }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="tenants-error"]')?.textContent).toContain('still has domains');
  });

  it('adds a tenant with its domains and downstream', async () => {
    const { fixture, backend, page } = await setup();
    const type = (testid: string, value: string) => {
      const input = page.querySelector<HTMLInputElement>(`[data-testid="${testid}"]`);
      if (!input) throw new Error(testid);
      input.value = value;
      input.dispatchEvent(new Event('input'));
    };
    type('tenant-id', 'globex');
    type('tenant-domains', 'globex.test, mail.globex.test');
    type('tenant-downstream', '127.0.0.1:2600');
    fixture.detectChanges();
    page.querySelector<HTMLButtonElement>('[data-testid="tenant-add"]')?.click();
    const request = backend.expectOne('/api/tenants');
    expect(request.request.body).toEqual({ id: 'globex', domains: ['globex.test', 'mail.globex.test'], downstream: '127.0.0.1:2600' });
    request.flush({ ...TENANTS[1], id: 'globex' });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="tenants-result"]')?.textContent).toContain('tenant globex added');
  });
});
