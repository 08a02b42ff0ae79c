import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Response } from 'express';

/** Builds the OpenAPI document from the controllers and serves it at /api/openapi.json (no auth: it is the API's map). */
export function mountOpenApi(app: NestExpressApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Moat CSM API')
    .setDescription('Central management server of the Moat email security gateway: policy, nodes, mail, statistics.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  app.use('/api/openapi.json', (_request: unknown, response: Response) => {
    response.json(document);
  });
}
