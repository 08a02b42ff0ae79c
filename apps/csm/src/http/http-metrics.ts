import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from '../services/metrics.service.js';

/**
 * Times every HTTP request and counts it by method, route pattern and status once the response is sent. The
 * route is the pattern the router matched (`/api/mail/:id`); requests no API route matched count as `console`
 * (the console's files) or `unmatched` (under /api), so a scan of random paths adds no label values.
 */
export function mountHttpMetrics(app: NestExpressApplication): void {
  const metrics = app.get(MetricsService);
  app.use((request: Request, response: Response, next: NextFunction) => {
    const started = performance.now();
    response.once('finish', () => {
      const matched: unknown = (request.route as { path?: unknown } | undefined)?.path;
      const route = typeof matched === 'string' ? matched : request.path === '/api' || request.path.startsWith('/api/') ? 'unmatched' : 'console';
      metrics.httpRequest(request.method, route, response.statusCode, (performance.now() - started) / 1000);
    });
    next();
  });
}
