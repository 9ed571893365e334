import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createHttpServer, registerLivenessRoute, registerMetricsRoute, type Logger } from '@stt/shared';
import type { LicenseState } from './license/license-state.js';

/**
 * The proxy's HTTP surface: `GET /health` (license usable, grace period included → 200, otherwise
 * 503), `GET /health/live` (200 while the process serves, whatever the license: the liveness and
 * readiness probe, so an expired license is reported through the proxy instead of hiding it) and `/metrics`.
 */
export function buildServer(state: LicenseState, metrics: Registry, logger: Logger): FastifyInstance {
  const app = createHttpServer(logger);
  app.get('/health', async (_request, reply) => {
    const health = state.health();
    return reply.code(health.license_valid ? 200 : 503).send(health);
  });
  registerLivenessRoute(app, Date.now());
  registerMetricsRoute(app, metrics);
  return app;
}
