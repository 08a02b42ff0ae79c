import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Response } from 'express';
import { METRICS_PATH } from './metrics.controller.js';

/** Routes live under /api, but /metrics, where Prometheus scrapers expect it. */
export function setApiPrefix(app: INestApplication): void {
  app.setGlobalPrefix('api', { exclude: [METRICS_PATH] });
}

/**
 * The OpenAPI document of the controllers' decorators and DTO classes. The same function serves /api/openapi.json
 * and writes apps/csm/openapi.json (`npm run openapi`), from which the console's client types are generated.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Moat CSM API')
    .setDescription('Central management server of the Moat email security gateway: policy, nodes, mail, statistics.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Serves the OpenAPI document at /api/openapi.json (no auth: it is the API's map). */
export function mountOpenApi(app: NestExpressApplication): void {
  const document = openApiDocument(app);
  app.use('/api/openapi.json', (_request: unknown, response: Response) => {
    response.json(document);
  });
}
