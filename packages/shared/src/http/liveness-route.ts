import type { FastifyInstance } from 'fastify';

/** Whole seconds since `startedAtMs`. */
export function uptimeSeconds(startedAtMs: number): number {
  return Math.floor((Date.now() - startedAtMs) / 1000);
}

/** `GET /health/live`'s body on every service: the process answers, whatever its dependencies say. */
export function livenessBody(startedAtMs: number): { status: 'alive'; uptime_seconds: number } {
  return { status: 'alive', uptime_seconds: uptimeSeconds(startedAtMs) };
}

/**
 * `GET /health/live` (and HEAD): 200 for as long as the event loop serves requests. It depends on
 * nothing else (no Redis, no model, no license), so a Kubernetes liveness probe pointed at it
 * restarts a hung process and never a healthy one whose dependency is down.
 */
export function registerLivenessRoute(app: FastifyInstance, startedAtMs: number): void {
  app.get('/health/live', async (_request, reply) => reply.header('cache-control', 'no-store').send(livenessBody(startedAtMs)));
}
