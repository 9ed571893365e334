import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createHttpServer, registerMetricsRoute, type Logger } from '@stt/shared';
import type { FaultInjector } from './faults.js';
import { acceptEmptyJsonBody } from './http/empty-json-body.js';
import type { LicenseServerMetrics } from './metrics.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerUsageRoute } from './routes/usage-route.js';
import { registerValidateRoute } from './routes/validate-route.js';
import type { LicenseLedger } from './store/license-ledger.js';

export interface ServerDependencies {
  readonly logger: Logger;
  readonly trustedKeys: readonly KeyObject[];
  readonly adminToken: string;
  readonly ledger: LicenseLedger;
  readonly faults: FaultInjector;
  readonly metrics: LicenseServerMetrics;
}

/** A full usage batch (1000 events with long ids and feature lists) can pass Fastify's 1 MiB default. */
const BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/** The license server's HTTP surface (docs/license-server.md). */
export function buildServer(deps: ServerDependencies): FastifyInstance {
  const app = createHttpServer(deps.logger, { bodyLimit: BODY_LIMIT_BYTES });
  acceptEmptyJsonBody(app);
  app.get('/health', async () => ({ status: 'healthy' }));
  registerMetricsRoute(app, deps.metrics.registry);
  registerValidateRoute(app, deps);
  registerUsageRoute(app, deps);
  // Its own scope: the admin token check applies to admin routes only.
  void app.register(async (scope) => registerAdminRoutes(scope, deps));
  return app;
}
