import { HttpErrorResponse, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';
import { SessionService } from './session.service';

const LOGIN_URL = '/api/auth/login';

/** Adds the bearer token to API calls; a 401 on any call but login ends the session and shows the login page. */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  if (!req.url.startsWith('/api/') || req.url === LOGIN_URL) return next(req);
  const session = inject(SessionService);
  const router = inject(Router);
  const token = session.token();
  const authed = token ? req.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : req;
  return next(authed).pipe(
    catchError((err: unknown) => {
      if (err instanceof HttpErrorResponse && err.status === 401) {
        session.end();
        // Back to the page in use after the new login (deep links survive an expired session too).
        const returnUrl = router.url.startsWith('/login') ? undefined : router.url;
        void router.navigate(['/login'], { queryParams: { expired: 1, ...(returnUrl ? { returnUrl } : {}) } });
      }
      return throwError(() => err);
    }),
  );
};
