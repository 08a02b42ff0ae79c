import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { loginErrorMessage, needsTotpCode } from './login-error';

describe('loginErrorMessage', () => {
  it('says the credentials are wrong on 401', () => {
    expect(loginErrorMessage(new HttpErrorResponse({ status: 401, error: { error: 'invalid credentials' } }))).toBe(
      'Wrong username or password.',
    );
  });

  it('asks for the authenticator code when the account has a second factor', () => {
    const needs = new HttpErrorResponse({ status: 401, error: { error: 'this account needs a TOTP code: send totp with the password' } });
    expect(needsTotpCode(needs)).toBe(true);
    expect(loginErrorMessage(needs)).toBe('Enter the code from your authenticator app.');
    const wrong = new HttpErrorResponse({ status: 401, error: { error: 'wrong or already used TOTP code' } });
    expect(needsTotpCode(wrong)).toBe(false);
    expect(loginErrorMessage(wrong)).toBe('Wrong or already used authenticator code.');
  });

  it('explains a lockout and when to retry', () => {
    const err = new HttpErrorResponse({
      status: 429,
      headers: new HttpHeaders({ 'Retry-After': '300' }),
      error: { error: 'too many failed logins; try again after 2026-05-10T10:05:00.000Z' },
    });
    expect(loginErrorMessage(err)).toBe('Too many failed logins: this account is locked. Try again in 5 min.');
  });

  it("shows the server's reason for a lockout without Retry-After", () => {
    const err = new HttpErrorResponse({ status: 429, error: { error: 'too many failed logins' } });
    expect(loginErrorMessage(err)).toBe('too many failed logins');
  });

  it('says when the server cannot be reached', () => {
    expect(loginErrorMessage(new HttpErrorResponse({ status: 0 }))).toBe('Login failed: Cannot reach the Moat server');
  });
});
