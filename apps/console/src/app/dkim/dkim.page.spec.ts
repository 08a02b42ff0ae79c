import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { DkimDomain, Me, Permission } from '../api/api.types';
import { IdentityService } from '../auth/identity.service';
import { DkimPage } from './dkim.page';

const KEY = { algorithm: 'ed25519' as const, createdAtMs: Date.UTC(2026, 0, 1), dnsStrings: ['v=DKIM1; k=ed25519; p=AAAA'], dnsValue: 'v=DKIM1; k=ed25519; p=AAAA' };
const DOMAIN: DkimDomain = {
  domain: 'example.test',
  keys: [
    { ...KEY, selector: 'ed1', active: true, dnsName: 'ed1._domainkey.example.test' },
    { ...KEY, selector: 'ed2', active: false, dnsName: 'ed2._domainkey.example.test' },
  ],
};

async function setup(permissions: Permission[]) {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
  const backend = TestBed.inject(HttpTestingController);
  const me: Me = { username: 'a', role: 'tenant-admin', tenant: 'default', mustChangePassword: false, totpEnabled: false, createdAtMs: 0, updatedAtMs: 0, permissions };
  TestBed.inject(IdentityService).load().subscribe();
  backend.expectOne('/api/auth/me').flush(me);
  const fixture = TestBed.createComponent(DkimPage);
  await vi.waitFor(() => backend.expectOne('/api/dkim').flush([DOMAIN]));
  await fixture.whenStable();
  const page = fixture.nativeElement as HTMLElement;
  const all = (id: string) => [...page.querySelectorAll(`[data-testid="${id}"]`)];
  return { fixture, backend, page, all };
}

describe('DkimPage', () => {
  it('shows each key with its TXT record; generate posts the form and reloads the keys', async () => {
    const { fixture, backend, page, all } = await setup(['policy:read', 'policy:write']);
    expect(all('dkim-record').map((e) => e.textContent?.trim())).toEqual(['ed1._domainkey.example.test. IN TXT "v=DKIM1; k=ed25519; p=AAAA"', 'ed2._domainkey.example.test. IN TXT "v=DKIM1; k=ed25519; p=AAAA"']);
    expect(all('dkim-key-active').map((e) => e.textContent?.trim())).toEqual(['Active', '—']);
    expect(all('dkim-activate')).toHaveLength(1);
    const input = (id: string, value: string) => {
      const element = page.querySelector(`#${id}`) as HTMLInputElement | HTMLSelectElement;
      element.value = value;
      element.dispatchEvent(new Event(element instanceof HTMLSelectElement ? 'change' : 'input'));
    };
    input('dkim-domain', 'new.test');
    input('dkim-selector', 's1');
    input('dkim-algorithm', 'ed25519');
    (page.querySelector('[data-testid="dkim-generate"]') as HTMLButtonElement).click();
    const call = backend.expectOne({ method: 'POST', url: '/api/dkim/new.test/keys' });
    expect(call.request.body).toEqual({ algorithm: 'ed25519', selector: 's1' });
    call.flush({ domain: 'new.test', keys: [] });
    await vi.waitFor(() => backend.expectOne('/api/dkim').flush([DOMAIN]));
    await fixture.whenStable();
  });

  it('activates and deletes (after confirming) a key', async () => {
    const { fixture, backend, all } = await setup(['policy:read', 'policy:write']);
    (all('dkim-activate')[0] as HTMLButtonElement).click();
    const activate = backend.expectOne({ method: 'POST', url: '/api/dkim/example.test/active' });
    expect(activate.request.body).toEqual({ selector: 'ed2' });
    activate.flush(DOMAIN);
    await vi.waitFor(() => backend.expectOne('/api/dkim').flush([DOMAIN]));
    await fixture.whenStable();
    const confirm = vi.fn().mockReturnValueOnce(false).mockReturnValueOnce(true);
    vi.stubGlobal('confirm', confirm);
    (all('dkim-delete')[1] as HTMLButtonElement).click();
    backend.expectNone({ method: 'DELETE' });
    (all('dkim-delete')[1] as HTMLButtonElement).click();
    backend.expectOne({ method: 'DELETE', url: '/api/dkim/example.test/keys/ed2' }).flush(null);
    expect(confirm).toHaveBeenCalledTimes(2);
    vi.unstubAllGlobals();
  });

  it('shows the DNS check of each record with what to publish', async () => {
    const { fixture, backend, all } = await setup(['policy:read']);
    (all('dkim-check')[0] as HTMLButtonElement).click();
    backend.expectOne('/api/dkim/example.test/dns-check').flush({
      domain: 'example.test',
      records: [
        { kind: 'spf', name: 'example.test', expected: 'v=spf1 mx ~all', found: ['v=spf1 mx -all'], status: 'ok', message: 'example.test publishes one SPF record ending in -all.' },
        { kind: 'dmarc', name: '_dmarc.example.test', expected: 'v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.test', found: [], status: 'missing', message: 'no DMARC' },
      ],
    });
    await fixture.whenStable();
    expect(all('dns-check').map((e) => e.getAttribute('data-status'))).toEqual(['ok', 'missing']);
    expect(all('dns-check')[1]?.textContent).toContain('Publish: v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.test');
  });

  it('offers no generate, activate or delete without policy:write', async () => {
    const { page, all } = await setup(['policy:read']);
    expect(page.querySelector('[data-testid="dkim-generate-form"]')).toBeNull();
    expect(all('dkim-activate')).toHaveLength(0);
    expect(all('dkim-delete')).toHaveLength(0);
    expect(all('dkim-record')).toHaveLength(2);
  });
});
