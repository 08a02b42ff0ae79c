import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { CsmClient } from './csm-client';

function setup() {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  return { csm: TestBed.inject(CsmClient), backend: TestBed.inject(HttpTestingController) };
}

describe('CsmClient', () => {
  it('fills in path parameters, encoded, and sends only the query parameters that have a value', async () => {
    const { csm, backend } = setup();
    const answer = firstValueFrom(csm.get('/api/mail/{id}/body/view', { path: { id: 'a/b c' } }));
    backend.expectOne('/api/mail/a%2Fb%20c/body/view').flush({ subject: 's', from: '', to: '', date: '', text: '', html: '', attachments: [] });
    expect((await answer).subject).toBe('s');

    const page = firstValueFrom(csm.get('/api/mail', { query: { sender: 'alice@', subject: undefined, limit: '50' } }));
    const request = backend.expectOne((r) => r.url === '/api/mail');
    expect(request.request.params.keys()).toEqual(['sender', 'limit']);
    expect(request.request.params.get('limit')).toBe('50');
    request.flush({ messages: [], nextCursor: null });
    expect((await page).nextCursor).toBeNull();
    backend.verify();
  });

  it('sends the body as JSON with the method of the route, and none when the route takes none', async () => {
    const { csm, backend } = setup();
    const put = firstValueFrom(csm.put('/api/certificates/{domain}', { path: { domain: 'mail.example.test' }, body: { certificate: 'PEM' } }));
    const upload = backend.expectOne('/api/certificates/mail.example.test');
    expect(upload.request.method).toBe('PUT');
    expect(upload.request.body).toEqual({ certificate: 'PEM' });
    upload.flush({ domain: 'mail.example.test' });
    await put;

    const logout = firstValueFrom(csm.post('/api/auth/logout'), { defaultValue: undefined });
    const request = backend.expectOne('/api/auth/logout');
    expect(request.request.method).toBe('POST');
    expect(request.request.body).toBeNull();
    request.flush(null, { status: 204, statusText: 'No Content' });
    await logout;
    backend.verify();
  });

  it('downloads a route as a Blob', async () => {
    const { csm, backend } = setup();
    const file = firstValueFrom(csm.download('/api/mail/export', { query: { format: 'csv', sender: 'alice@' } }));
    const request = backend.expectOne((r) => r.url === '/api/mail/export');
    expect(request.request.responseType).toBe('blob');
    expect(request.request.params.get('format')).toBe('csv');
    request.flush(new Blob(['id\n']));
    expect(await (await file).text()).toBe('id\n');
  });
});
