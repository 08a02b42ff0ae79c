import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cspNonce } from './security-headers.js';
import { METRICS_PATH } from './metrics.controller.js';

const NOT_BUILT_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Moat</title></head>
<body><h1>Moat</h1><p>The console is not built. Build it with <code>npx nx build console</code>; the API is at
<a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>
`;

/** What the console's index.html carries where the response's CSP nonce goes (Angular's ngCspNonce). */
const NONCE_PLACEHOLDER = 'MOAT_CSP_NONCE';

/**
 * Serves the console's static files at / with the single-page-app fallback: any other GET outside /api and
 * /metrics gets index.html, so deep links work. index.html is read per request (it names the hashed bundles of
 * the current build) and gets the response's CSP nonce, which Angular puts on the <style> elements of its
 * components. Without a build, a plain page says so.
 */
export function mountConsole(app: NestExpressApplication, dir: string): void {
  const index = join(dir, 'index.html');
  const built = existsSync(index);
  const sendIndex = async (response: Response) => {
    const html = await readFile(index, 'utf8');
    response.setHeader('Cache-Control', 'no-cache');
    response.status(200).type('html').send(html.replaceAll(NONCE_PLACEHOLDER, cspNonce(response)));
  };
  const isPage = (request: Request) =>
    (request.method === 'GET' || request.method === 'HEAD') && request.path !== '/api' && !request.path.startsWith('/api/') && request.path !== `/${METRICS_PATH}`;
  if (built) {
    // index.html is only ever served with its nonce; '/' falls through the static files (index: false).
    app.use('/index.html', (request: Request, response: Response, next: NextFunction) => (isPage(request) ? void sendIndex(response).catch(next) : next()));
    app.use(express.static(dir, { index: false, maxAge: '1h' }));
  }
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (!isPage(request)) return next();
    if (!built) return void response.status(200).type('html').send(NOT_BUILT_PAGE);
    sendIndex(response).catch(next);
  });
}
