import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { loginErrorMessage } from './login-error';

describe('loginErrorMessage', () => {
  it('says the credentials are wrong on 401', () => {
    expect(loginErrorMessage(new HttpErrorResponse({ status: 401, error: { error: 'invalid credentials' } }))).toBe(
      'Wrong username or password.',
    );
  });

  it('explains a lockout and when to retry', () => {
    const err = new HttpErrorResponse({
      status: 429,
      headers: new HttpHeaders({ 'Retry-After': '300' }),
      error: { error: 'Account locked after 5 failed logins.' },
    });
    expect(loginErrorMessage(err)).toBe('Account locked after 5 failed logins. Try again in 5 min.');
  });

  it('says when the server cannot be reached', () => {
    expect(loginErrorMessage(new HttpErrorResponse({ status: 0 }))).toBe('Login failed: Cannot reach the Moat server');
  });
});
