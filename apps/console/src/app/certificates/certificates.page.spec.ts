import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { CertificateView } from '../api/api.types';
import { CertificatesPage } from './certificates.page';

const ACTIVE: CertificateView = {
  domain: 'a.test',
  status: 'active',
  keyType: 'ecdsa',
  subject: 'CN=a.test',
  sans: ['a.test'],
  issuer: 'CN=Test CA',
  notBefore: Date.UTC(2026, 10, 1),
  notAfter: Date.UTC(2026, 11, 20),
  daysLeft: 12,
  fingerprint: 'AA:BB',
  warning: 'expires in 12 days',
  csrPending: false,
};
const PENDING: CertificateView = { ...ACTIVE, domain: 'b.test', status: 'pending', keyType: 'rsa', subject: '', sans: [], issuer: '', notBefore: 0, notAfter: 0, daysLeft: 0, fingerprint: '', warning: '', csrPending: true };

async function setup() {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  const fixture = TestBed.createComponent(CertificatesPage);
  const backend = TestBed.inject(HttpTestingController);
  await vi.waitFor(() => backend.expectOne('/api/certificates').flush([ACTIVE, PENDING]));
  await fixture.whenStable();
  return { fixture, backend, page: fixture.nativeElement as HTMLElement };
}

describe('CertificatesPage', () => {
  it('lists the domains with expiry, warnings and waiting CSRs', async () => {
    const { page } = await setup();
    const text = (selector: string) => [...page.querySelectorAll(selector)].map((e) => e.textContent?.trim());
    expect(text('[data-testid="certificate-status"]')).toEqual(['Served', 'Waiting for certificate']);
    expect(text('[data-testid="certificate-expiry"]')).toEqual(['2026-12-2012 days left', '—']);
    expect(text('[data-testid="certificate-warning"]')).toEqual(['expires in 12 days']);
    expect(text('[data-testid="certificate-csr-pending"]')).toEqual(['CSR waiting for its certificate']);
  });

  it('generates a CSR to download, then uploads the certificate and reports the CSM refusal', async () => {
    const { fixture, backend, page } = await setup();
    const input = (id: string, value: string) => {
      const field = page.querySelector<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(`#${id}`);
      if (!field) throw new Error(`no #${id}`);
      field.value = value;
      field.dispatchEvent(new Event(field instanceof HTMLSelectElement ? 'change' : 'input'));
    };
    input('csr-domain', 'c.test');
    input('key-type', 'ecdsa');
    page.querySelector<HTMLButtonElement>('[data-testid="csr-generate"]')?.click();
    const request = backend.expectOne('/api/certificates/csr');
    expect(request.request.body).toEqual({ domain: 'c.test', keyType: 'ecdsa' });
    request.flush({ domain: 'c.test', keyType: 'ecdsa', csr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n' });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="csr-pem"]')?.textContent).toContain('BEGIN CERTIFICATE REQUEST');
    const link = page.querySelector<HTMLAnchorElement>('[data-testid="csr-download"]');
    expect([link?.getAttribute('download'), link?.href.startsWith('blob:')]).toEqual(['c.test.csr', true]);
    expect(page.querySelector<HTMLInputElement>('#upload-domain')?.value).toBe('c.test');

    input('certificate', '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n');
    page.querySelector<HTMLButtonElement>('[data-testid="certificate-upload"]')?.click();
    const refused = backend.expectOne((r) => r.method === 'PUT' && r.url === '/api/certificates/c.test');
    refused.flush({ error: 'certificate: does not match the private key kept for c.test' }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="certificates-error"]')?.textContent).toContain('400: certificate: does not match the private key kept for c.test');

    page.querySelector<HTMLButtonElement>('[data-testid="certificate-upload"]')?.click();
    backend.expectOne((r) => r.method === 'PUT').flush({ ...ACTIVE, domain: 'c.test', subject: 'CN=c.test', daysLeft: 89, warning: '' });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="certificate-uploaded"]')?.textContent).toContain('c.test: CN=c.test from CN=Test CA, 89 days left');
  });
});
