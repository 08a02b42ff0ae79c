import { HttpErrorResponse } from '@angular/common/http';
import { describeHttpError, serverMessage } from '../api/http-error';

/** What the login form says when the CSM refuses a login. */
export function loginErrorMessage(err: unknown): string {
  if (!(err instanceof HttpErrorResponse)) return describeHttpError(err);
  switch (err.status) {
    case 400:
    case 401:
      if (needsTotpCode(err)) return 'Enter the code from your authenticator app.';
      return /TOTP code/.test(serverMessage(err.error) ?? '') ? 'Wrong or already used authenticator code.' : 'Wrong username or password.';
    case 423:
    case 429:
      return lockoutMessage(err);
    default:
      return `Login failed: ${describeHttpError(err)}`;
  }
}

function lockoutMessage(err: HttpErrorResponse): string {
  const retryAfterSeconds = Number(err.headers.get('Retry-After'));
  if (retryAfterSeconds > 0) {
    return `Too many failed logins: this account is locked. Try again in ${Math.ceil(retryAfterSeconds / 60)} min.`;
  }
  return serverMessage(err.error) ?? 'Too many failed logins: this account is locked for now. Try again later.';
}

/** The CSM refused a right password because the account has a second factor and no code came with it. */
export function needsTotpCode(err: unknown): boolean {
  return err instanceof HttpErrorResponse && err.status === 401 && /needs a TOTP code/.test(serverMessage(err.error) ?? '');
}
