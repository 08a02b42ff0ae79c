import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { randomBytes } from 'node:crypto';

/** The per-response nonce that index.html's <style> elements (Angular's component styles) carry; see console-static. */
export function cspNonce(response: Response): string {
  return String(response.locals['cspNonce']);
}

/**
 * Security headers on every response, API, console files and errors alike (installed before any route):
 * a CSP without 'unsafe-inline' (scripts from this origin only; styles from this origin or with the response's
 * nonce), no framing (frame-ancestors 'none', X-Frame-Options DENY), nosniff, Referrer-Policy no-referrer, HSTS
 * and upgrade-insecure-requests only when served over TLS, and no X-Powered-By.
 */
export function mountSecurityHeaders(app: NestExpressApplication, tls: boolean): void {
  app.disable('x-powered-by');
  app.use((_request: Request, response: Response, next: NextFunction) => {
    response.locals['cspNonce'] = randomBytes(16).toString('base64');
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", (_request, response) => `'nonce-${cspNonce(response as Response)}'`],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          ...(tls ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    }),
  );
}
