import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { VERSION } from '@stt/shared';
import { COMPONENTS, type ComponentName } from './component-report.js';
import { HealthExposition } from './health-exposition.js';
import type { HealthMonitor } from './health-monitor.js';

/** Route config flag: the route needs no license key. */
export const PUBLIC_ROUTE = { public: true } as const;

const OFFERED = ['application/json', 'text/plain', 'application/openmetrics-text'];

interface HealthQuery {
  detailed?: string;
  format?: string;
}

/**
 * Every health route of the contract. All answer from the monitor's latest snapshot, with no
 * I/O of their own; `HEAD` comes with each `GET`.
 */
export function registerHealthRoutes(app: FastifyInstance, monitor: HealthMonitor, startedAt: number): void {
  const exposition = new HealthExposition(monitor, startedAt);
  const uptimeSeconds = (): number => Math.floor((Date.now() - startedAt) / 1000);

  const overall = async (request: FastifyRequest<{ Querystring: HealthQuery }>, reply: FastifyReply) => {
    void reply.header('cache-control', 'no-store');
    const format = prometheusFormat(request);
    if (format) {
      // Always 200: a scrape that fails records nothing, while health_up 0 is the signal.
      const { contentType, body } = await exposition.render(format);
      return reply.type(contentType).send(body);
    }
    const snapshot = monitor.snapshot;
    void reply.code(snapshot.healthy ? 200 : 503);
    if (request.query.detailed !== 'true') return reply.type('application/json; charset=utf-8').send(snapshot.body);
    const components = Object.fromEntries(COMPONENTS.map((name) => [name, snapshot.components[name].status]));
    const details = Object.fromEntries(COMPONENTS.map((name) => [name, snapshot.components[name].details]));
    return reply.send({
      status: snapshot.healthy ? 'healthy' : 'unhealthy',
      ...(snapshot.reason !== undefined ? { reason: snapshot.reason } : {}),
      components,
      uptime_seconds: uptimeSeconds(),
      version: VERSION,
      details,
    });
  };

  const component = (name: ComponentName) => async (_request: FastifyRequest, reply: FastifyReply) => {
    const report = monitor.snapshot.components[name];
    const healthy = report.status !== 'unhealthy';
    return reply
      .header('cache-control', 'no-store')
      .code(healthy ? 200 : 503)
      .send({ status: report.status, ...(report.reason !== undefined ? { reason: report.reason } : {}), ...report.details });
  };

  const options = { config: PUBLIC_ROUTE };
  app.get('/health', options, overall);
  app.get('/api/v1/health', options, overall);
  app.get('/health/ready', options, overall);
  app.get('/health/asr', options, component('lightning_asr'));
  app.get('/health/license', options, component('license_proxy'));
  app.get('/health/redis', options, component('redis'));
  app.get('/healthz', options, async (_request, reply) => {
    const snapshot = monitor.snapshot;
    return reply
      .header('cache-control', 'no-store')
      .code(snapshot.healthy ? 200 : 503)
      .send(
        snapshot.healthy
          ? { status: 'healthy', ready: true }
          : { status: 'unhealthy', ready: false, reason: snapshot.reason },
      );
  });
  // Liveness depends on nothing but this process answering, so an ASR outage never restarts API pods.
  app.get('/health/live', options, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'alive', uptime_seconds: uptimeSeconds() }),
  );
}

function prometheusFormat(request: FastifyRequest<{ Querystring: HealthQuery }>): 'text' | 'openmetrics' | undefined {
  if (request.query.format === 'prometheus') return 'text';
  const accept = request.headers.accept;
  if (!accept) return undefined;
  // Prometheus asks with version parameters (`text/plain;version=0.0.4;q=0.3`); Negotiator would
  // require them to match our offers exactly, so only the type and its weight are kept.
  const weighted = accept
    .split(',')
    .map((range) => {
      const [type = '', ...params] = range.split(';').map((part) => part.trim());
      const q = params.find((param) => param.startsWith('q='));
      return q ? `${type};${q}` : type;
    })
    .join(',');
  const preferred = new Negotiator({ headers: { accept: weighted } }).mediaType(OFFERED);
  if (preferred === 'text/plain') return 'text';
  if (preferred === 'application/openmetrics-text') return 'openmetrics';
  return undefined;
}
