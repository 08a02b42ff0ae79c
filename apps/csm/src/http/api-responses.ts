import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';

/** A 200 whose body is a file (or text) of the given media types, not JSON: a binary string for each. */
export function ApiFileResponse(description: string, ...mediaTypes: string[]): MethodDecorator {
  const content = Object.fromEntries(mediaTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]));
  return applyDecorators(ApiProduces(...mediaTypes), ApiOkResponse({ description, content }));
}
