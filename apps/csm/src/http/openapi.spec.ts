import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The committed document (apps/csm/openapi.json, written by `npm run openapi` from the built CSM and checked
// against it by test/csm/openapi.test.ts) is what the console's client types are generated from: every route
// must say what it takes and what it answers, in shapes a generator can type.

interface Schema {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
  allOf?: Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
  format?: string;
}
interface Content {
  schema?: Schema;
}
interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, Content> };
  responses?: Record<string, { content?: Record<string, Content> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as Document;

/** Where SCHEMA (at WHERE) leaves a value untyped: no type, or an object without properties or a value schema. */
function untyped(schema: Schema | undefined, where: string): string[] {
  if (!schema) return [`${where}: no schema`];
  if (schema.$ref) return document.components.schemas[schema.$ref.replace('#/components/schemas/', '')] ? [] : [`${where}: unknown ${schema.$ref}`];
  const composed = schema.oneOf ?? schema.allOf ?? schema.anyOf;
  if (composed) return composed.flatMap((part, i) => untyped(part, `${where}|${i}`));
  if (schema.type === 'array') return untyped(schema.items, `${where}[]`);
  if (schema.type === 'object') {
    const properties = Object.entries(schema.properties ?? {}).flatMap(([name, property]) => untyped(property, `${where}.${name}`));
    const values = typeof schema.additionalProperties === 'object' ? untyped(schema.additionalProperties, `${where}{}`) : [];
    const open = schema.properties !== undefined || schema.additionalProperties !== undefined;
    return open ? [...properties, ...values] : [`${where}: object without properties`];
  }
  return schema.type ? [] : [`${where}: no type`];
}

const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })));

describe('OpenAPI document', () => {
  it('gives every route a success response with a schema per media type (204: none)', () => {
    const problems = operations.flatMap(({ route, operation }) => {
      const success = Object.entries(operation.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
      if (success.length === 0) return [`${route}: no success response`];
      return success.flatMap(([status, response]) => {
        if (status === '204') return response.content ? [`${route} 204: has content`] : [];
        const contents = Object.entries(response.content ?? {});
        if (contents.length === 0) return [`${route} ${status}: no content`];
        return contents.flatMap(([type, content]) => untyped(content.schema, `${route} ${status} ${type}`));
      });
    });
    expect(problems).toEqual([]);
  });

  it('types every request body and every error body', () => {
    const problems = operations.flatMap(({ route, operation }) => [
      ...Object.entries(operation.requestBody?.content ?? {}).flatMap(([type, content]) => untyped(content.schema, `${route} body ${type}`)),
      ...Object.entries(operation.responses ?? {})
        .filter(([status]) => /^[45]\d\d$/.test(status))
        .flatMap(([status, response]) => Object.entries(response.content ?? {}).flatMap(([type, content]) => untyped(content.schema, `${route} ${status} ${type}`))),
    ]);
    expect(problems).toEqual([]);
  });

  it('types every path, query and header parameter', () => {
    const problems = operations.flatMap(({ route, operation }) => (operation.parameters ?? []).flatMap((parameter) => untyped(parameter.schema, `${route} ${parameter.in} ${parameter.name}`)));
    expect(problems).toEqual([]);
  });

  it('types every property of every shape', () => {
    const problems = Object.entries(document.components.schemas).flatMap(([name, schema]) => untyped(schema, name));
    expect(problems).toEqual([]);
  });
});
