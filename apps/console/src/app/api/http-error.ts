import { HttpErrorResponse } from '@angular/common/http';

/** One line an administrator can act on, for a failed API call. */
export function describeHttpError(err: unknown): string {
  if (!(err instanceof HttpErrorResponse)) return 'Unexpected error';
  if (err.status === 0) return 'Cannot reach the Moat server';
  const message = serverMessage(err.error);
  return message ? `${err.status}: ${message}` : `${err.status} ${err.statusText}`.trim();
}

/** The `error` text of a CSM error body, if the body has one. */
export function serverMessage(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const error = (body as Record<string, unknown>)['error'];
  return typeof error === 'string' && error !== '' ? error : null;
}
