import { z } from 'zod';
import { jsonSchemaOf } from './zod-route-schema.js';

/** What each health route answers; the health routes are served before Fastify, so the document gets them here. */
export const HEALTH_ROUTE_DOCS: Readonly<Record<string, string>> = {
  '/health': 'Overall health: 200 healthy or 503 unhealthy with the reasons. `?detailed=true` adds components and details; `Accept: text/plain` or `?format=prometheus` answers in the Prometheus exposition format.',
  '/api/v1/health': 'The same as /health.',
  '/health/ready': 'Readiness: /health, and 503 while starting or draining.',
  '/health/live': 'Liveness: 200 while the process serves; depends on no other component.',
  '/healthz': '200 {"status":"healthy","ready":true} or 503 with "ready":false.',
  '/health/asr': 'The ASR workers: live and ready workers, models served.',
  '/health/license': 'The license proxy: validity, valid_until, grace period.',
  '/health/redis': 'Redis: reachability and latency.',
};

const healthBodySchema = z
  .object({ status: z.enum(['healthy', 'degraded', 'unhealthy']), reason: z.string().optional() })
  .catchall(z.unknown());

/** The OpenAPI path items of `paths` (GET and HEAD, no auth); a path without a description is a defect, thrown. */
export function healthPathItems(paths: readonly string[]): Record<string, unknown> {
  const body = { content: { 'application/json': { schema: jsonSchemaOf(healthBodySchema, 'output') } } };
  return Object.fromEntries(
    paths.map((path) => {
      const description = HEALTH_ROUTE_DOCS[path];
      if (description === undefined) throw new Error(`the health route ${path} has no description in the OpenAPI document`);
      const operation = (method: string) => ({
        tags: ['health'],
        summary: description.split(':')[0],
        description,
        operationId: `${method}${path.replaceAll(/[^a-z0-9]+/gi, '_')}`,
        security: [],
        responses: { 200: { description: 'Healthy', ...body }, 503: { description: 'Unhealthy (reason says why)', ...body } },
      });
      return [path, { get: operation('get'), head: operation('head') }];
    }),
  );
}
