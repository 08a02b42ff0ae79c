import { HttpErrorResponse } from '@angular/common/http';
import { describeHttpError, serverMessage } from '../api/http-error';

/** What the login form says when the CSM refuses a login. */
export function loginErrorMessage(err: unknown): string {
  if (!(err instanceof HttpErrorResponse)) return describeHttpError(err);
  switch (err.status) {
    case 400:
    case 401:
      return 'Wrong username or password.';
    case 423:
    case 429:
      return lockoutMessage(err);
    default:
      return `Login failed: ${describeHttpError(err)}`;
  }
}

function lockoutMessage(err: HttpErrorResponse): string {
  const retryAfter = Number(err.headers.get('Retry-After'));
  const wait =
    Number.isFinite(retryAfter) && retryAfter > 0
      ? ` Try again in ${Math.ceil(retryAfter / 60)} min.`
      : ' Try again later.';
  const detail = serverMessage(err.error);
  return `${detail ?? 'Too many failed attempts: this account is locked for now.'}${wait}`;
}
