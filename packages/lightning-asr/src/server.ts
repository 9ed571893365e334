import type { FastifyInstance } from 'fastify';
import { createHttpServer, registerLivenessRoute, registerMetricsRoute, type Logger } from '@stt/shared';
import type { AsrMetrics } from './metrics.js';
import { registerStreamRoute } from './streaming/stream-route.js';
import type { WorkerState } from './worker-state.js';

/**
 * The worker's HTTP surface: `GET /health` (ready → 200, loading/unhealthy/draining → 503), `GET
 * /health/live` (200 while the process serves: the liveness probe, so a failed self-test or a drain
 * never gets the worker restarted), `/metrics`, and the live endpoint the API server relays streams to.
 */
export function buildServer(state: WorkerState, metrics: AsrMetrics, logger: Logger): FastifyInstance {
  const app = createHttpServer(logger);
  app.get('/health', async (_request, reply) => {
    const status = state.status;
    const engine = state.engine;
    if (status === 'ready' && engine !== undefined) {
      return reply.send({
        status,
        engine: engine.name,
        model: engine.model,
        gpu: engine.gpu,
        active_requests: state.activeRequests,
        capacity: state.capacity,
        languages: engine.capabilities.languages,
        streaming: engine.capabilities.streaming,
        word_timestamps: engine.capabilities.wordTimestamps,
      });
    }
    return reply.code(503).send({ status: status === 'loading' ? 'loading' : 'unhealthy', reason: state.reason });
  });
  registerLivenessRoute(app, state.identity.startedAt.getTime());
  registerMetricsRoute(app, metrics.registry);
  // Its own scope: the WebSocket plugin applies to the live endpoint only.
  void app.register(async (scope) => registerStreamRoute(scope, state, logger));
  return app;
}
