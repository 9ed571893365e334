import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createHttpServer, registerMetricsRoute, type Logger } from '@stt/shared';
import { registerLicenseAuth } from './auth/license-auth.js';
import { registerDeepgramBatchRoutes } from './compat/deepgram/deepgram-batch-routes.js';
import { registerDeepgramLiveRoutes } from './compat/deepgram/deepgram-live-routes.js';
import { HealthEndpoints } from './health/health-endpoints.js';
import type { HealthMonitor } from './health/health-monitor.js';
import type { ConnectionCap } from './http/connection-cap.js';
import type { Drain } from './http/drain.js';
import { closeRefusedUpgrades } from './http/refused-upgrades.js';
import type { SlowBodyGuard } from './http/slow-body-guard.js';
import type { ApiMetrics } from './metrics.js';
import { registerOpenAiRoutes } from './compat/openai/openai-routes.js';
import { registerDocsRoutes, registerOpenApiCollector } from './openapi/register-openapi.js';
import { registerListenRoutes, type ListenRouteOptions } from './routes/listen-routes.js';
import { registerStreamRoutes, type StreamRouteOptions } from './routes/stream-routes.js';

export interface AppDependencies {
  readonly logger: Logger;
  readonly monitor: HealthMonitor;
  readonly trustedKeys: readonly KeyObject[];
  readonly metrics: ApiMetrics;
  readonly drain: Drain;
  readonly connections: ConnectionCap;
  readonly slowBodies: SlowBodyGuard;
  readonly startedAt: number;
  readonly listen: ListenRouteOptions;
  readonly stream: StreamRouteOptions;
}

export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  /** Needs no license key: the health routes (answered before Fastify) and the API docs. */
  readonly public: boolean;
}

const METRICS_SCHEMA = {
  tags: ['operations'],
  summary: 'Prometheus metrics (text exposition format)',
  response: { 200: { description: 'Request counts and durations, queue depth, stream latency, …' } },
};

/** The API server's HTTP application, and the table of every route it serves. */
export function buildApp(deps: AppDependencies): { app: FastifyInstance; routes: RouteEntry[] } {
  const health = new HealthEndpoints(deps.monitor, deps.startedAt, deps.metrics, deps.logger);
  const app = createHttpServer(deps.logger, {}, (request, response) => {
    deps.connections.closeIfBeyondCap(request, response);
    return health.serve(request, response);
  });
  deps.connections.attach(app.server);
  const routes: RouteEntry[] = health.paths.flatMap((url) => ['GET', 'HEAD'].map((method) => ({ method, url, public: true })));
  app.addHook('onRoute', (route) => {
    // Read when the table is: a scope's own onRoute hook (the docs') may mark the route public after this one ran.
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, get public() { return route.config?.public === true; } });
  });
  // Before any route: it collects them all into the OpenAPI document.
  registerOpenApiCollector(app, health.paths);
  closeRefusedUpgrades(app);
  // Before the key is checked: neither needs it, and a slow unauthenticated body is cut too.
  deps.connections.register(app);
  deps.slowBodies.register(app);
  registerLicenseAuth(app, deps.trustedKeys);
  deps.drain.register(app);
  deps.metrics.register(app);
  // In a scope, as every route: loaded after the OpenAPI collector, so it is in the document.
  void app.register(async (scope) => registerMetricsRoute(scope, deps.metrics.registry, METRICS_SCHEMA));
  void app.register(registerDocsRoutes);
  // Its own scope: the multipart and raw-audio body parsers apply to transcription routes only.
  void app.register(async (scope) => registerListenRoutes(scope, deps.listen));
  // Deepgram's API has scopes of its own (batch, live): its own error shape.
  void app.register(async (scope) => registerDeepgramBatchRoutes(scope, deps.listen));
  // Its own scope too: OpenAI's error shape applies to its routes only.
  void app.register(async (scope) => registerOpenAiRoutes(scope, deps.listen));
  // Its own scope too: the WebSocket plugin applies to the live routes only.
  void app.register(async (scope) => registerStreamRoutes(scope, deps.stream));
  void app.register(async (scope) => registerDeepgramLiveRoutes(scope, deps.stream));
  return { app, routes };
}
