import type { FastifyInstance, FastifySchema } from 'fastify';
import type { Registry } from 'prom-client';

/** `GET /metrics` in the Prometheus text exposition format; `schema` describes it in an OpenAPI document. */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry, schema?: FastifySchema): void {
  app.get('/metrics', { ...(schema !== undefined ? { schema } : {}) }, async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
}
