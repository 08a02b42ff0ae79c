import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS_PATH } from './metrics.controller.js';

const NOT_BUILT_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Moat</title></head>
<body><h1>Moat</h1><p>The console is not built. Build it with <code>npx nx build console</code>; the API is at
<a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>
`;

/**
 * Serves the console's static files at / with the single-page-app fallback: any other GET outside /api and
 * /metrics gets index.html, so deep links work. Without a build, a plain page says so.
 */
export function mountConsole(app: NestExpressApplication, dir: string): void {
  const index = join(dir, 'index.html');
  const built = existsSync(index);
  if (built) app.use(express.static(dir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheForIndex }));
  app.use((request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || request.path === '/api' || request.path.startsWith('/api/') || request.path === `/${METRICS_PATH}`) return next();
    if (!built) return void response.status(200).type('html').send(NOT_BUILT_PAGE);
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index);
  });
}

/** index.html names the hashed bundles of the current build, so browsers must revalidate it. */
function noCacheForIndex(response: Response, path: string): void {
  if (path.endsWith('index.html')) response.setHeader('Cache-Control', 'no-cache');
}
