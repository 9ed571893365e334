import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createHttpServer, registerMetricsRoute, type Logger } from '@stt/shared';
import type { LicenseState } from './license/license-state.js';

/** The proxy's HTTP surface: `GET /health` (license usable, grace period included → 200, otherwise 503) and `/metrics`. */
export function buildServer(state: LicenseState, metrics: Registry, logger: Logger): FastifyInstance {
  const app = createHttpServer(logger);
  app.get('/health', async (_request, reply) => {
    const health = state.health();
    return reply.code(health.license_valid ? 200 : 503).send(health);
  });
  registerMetricsRoute(app, metrics);
  return app;
}
