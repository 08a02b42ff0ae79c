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

/** The `problems` lines of a CSM error body (one per invalid field), if it has them. */
export function serverProblems(err: unknown): string[] {
  if (!(err instanceof HttpErrorResponse) || typeof err.error !== 'object' || err.error === null) return [];
  const problems = (err.error as Record<string, unknown>)['problems'];
  return Array.isArray(problems) ? problems.filter((p): p is string => typeof p === 'string') : [];
}

/** describeHttpError for a request made with responseType 'blob', whose error body arrives as a Blob of JSON. */
export async function describeBlobError(err: unknown): Promise<string> {
  if (!(err instanceof HttpErrorResponse) || !(err.error instanceof Blob)) return describeHttpError(err);
  let body: unknown = null;
  try {
    body = JSON.parse(await err.error.text());
  } catch {
    body = null;
  }
  return describeHttpError(new HttpErrorResponse({ error: body, status: err.status, statusText: err.statusText, url: err.url ?? undefined }));
}
