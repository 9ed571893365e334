import type { FastifySchema } from 'fastify';
import { z } from 'zod';

/** The route-schema parts a request is validated on, and where responses are described. */
const REQUEST_PARTS = ['querystring', 'params', 'headers', 'body'] as const;

/**
 * A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect): for a request, the values it
 * accepts (`io: 'input'`: `"true"` as well as `true`); for a response, what it produces.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return json;
}

/**
 * @fastify/swagger's `transform`: routes declare the zod schemas their handlers validate with,
 * and the document shows them as JSON Schema. One source of truth: the handler parses with the
 * same object the document was made from.
 */
export function zodRouteSchemas({ schema, url, route }: { schema: FastifySchema | undefined; url: string; route: { websocket?: boolean } }): { schema: FastifySchema; url: string } {
  const parts = (schema ?? {}) as Readonly<Record<string, unknown>>;
  // @fastify/websocket hides its routes from the document; ours are half the API.
  const converted: Record<string, unknown> = { ...parts, ...(route.websocket === true ? { hide: false } : {}) };
  for (const part of REQUEST_PARTS) {
    const value = parts[part];
    if (value instanceof z.ZodType) converted[part] = jsonSchemaOf(value, 'input');
  }
  const response = parts.response;
  if (response !== undefined && typeof response === 'object' && response !== null) {
    converted.response = Object.fromEntries(
      Object.entries(response).map(([status, described]) => [status, convertResponse(described)]),
    );
  }
  return { schema: converted, url };
}

/** `{description, content?}` or a bare zod schema, each zod part as JSON Schema. */
function convertResponse(described: unknown): unknown {
  if (described instanceof z.ZodType) return jsonSchemaOf(described, 'output');
  if (typeof described !== 'object' || described === null || !('content' in described)) return described;
  const { content, ...rest } = described as { content: Record<string, { schema: unknown }> };
  return {
    ...rest,
    content: Object.fromEntries(
      Object.entries(content).map(([type, { schema }]) => [type, { schema: schema instanceof z.ZodType ? jsonSchemaOf(schema, 'output') : schema }]),
    ),
  };
}
