import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import type { Me } from '../api/api.types';
import { fill, find } from '../testing/dom';
import { AccountPage } from './account.page';

const me = (mustChangePassword: boolean): Me => ({
  username: 'newbie',
  role: 'tenant-admin',
  tenant: 'default',
  mustChangePassword,
  totpEnabled: false,
  createdAtMs: 0,
  updatedAtMs: 0,
  permissions: ['session', 'status:read'],
});

describe('AccountPage', () => {
  it('asks for a new password when it must be changed, then goes to the dashboard', async () => {
    TestBed.configureTestingModule({ providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    const backend = TestBed.inject(HttpTestingController);
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const fixture = TestBed.createComponent(AccountPage);
    fixture.detectChanges();
    backend.expectOne('/api/auth/me').flush(me(true));
    await fixture.whenStable();
    const page = fixture.nativeElement as HTMLElement;
    expect(page.querySelector('[data-testid="password-forced"]')).not.toBeNull();
    expect(page.querySelector('[data-testid="account-identity"]')?.textContent).toBe('newbie · tenant-admin · tenant default');

    fill(page, '#current-password', 'generated-one');
    fill(page, '#new-password', 'a long enough passphrase');
    fill(page, '#repeat-password', 'a long enough passphrase');
    find<HTMLButtonElement>(page, '[data-testid="password-submit"]').click();
    const change = backend.expectOne('/api/auth/password');
    expect(change.request.body).toEqual({ currentPassword: 'generated-one', password: 'a long enough passphrase' });
    change.flush(null, { status: 204, statusText: 'No Content' });
    backend.expectOne('/api/auth/me').flush(me(false));
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="password-forced"]')).toBeNull();
    expect(page.querySelector('[data-testid="password-changed"]')).not.toBeNull();
    expect(navigate).toHaveBeenCalledWith(['/dashboard']);
    fixture.destroy();
  });

  it('refuses two different new passwords without asking the CSM', async () => {
    TestBed.configureTestingModule({ providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    const backend = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(AccountPage);
    fixture.detectChanges();
    backend.expectOne('/api/auth/me').flush(me(false));
    await fixture.whenStable();
    const page = fixture.nativeElement as HTMLElement;
    fill(page, '#new-password', 'a long enough passphrase');
    fill(page, '#repeat-password', 'another long passphrase');
    find<HTMLButtonElement>(page, '[data-testid="password-submit"]').click();
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="account-error"]')?.textContent).toContain('The two new passwords differ.');
    backend.verify();
    fixture.destroy();
  });

  it('sets up a TOTP second factor: shows the otpauth URI, then turns it on with a code', async () => {
    TestBed.configureTestingModule({ providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    const backend = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(AccountPage);
    fixture.detectChanges();
    backend.expectOne('/api/auth/me').flush(me(false));
    await fixture.whenStable();
    const page = fixture.nativeElement as HTMLElement;
    find<HTMLButtonElement>(page, '[data-testid="totp-setup"]').click();
    backend.expectOne('/api/auth/totp/setup').flush({ otpauthUri: 'otpauth://totp/Moat:newbie?secret=ABC&issuer=Moat' });
    await fixture.whenStable();
    expect(find(page, '[data-testid="totp-uri"]').textContent).toBe('otpauth://totp/Moat:newbie?secret=ABC&issuer=Moat');
    fill(page, '#totp-code', '123456');
    find<HTMLButtonElement>(page, '[data-testid="totp-confirm"]').click();
    const confirm = backend.expectOne('/api/auth/totp/confirm');
    expect(confirm.request.body).toEqual({ code: '123456' });
    confirm.flush(null, { status: 204, statusText: 'No Content' });
    backend.expectOne('/api/auth/me').flush({ ...me(false), totpEnabled: true });
    await fixture.whenStable();
    expect(page.querySelector('[data-testid="totp-enabled"]')).not.toBeNull();
    fixture.destroy();
  });
});
