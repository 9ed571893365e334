import type { IncomingMessage, ServerResponse } from 'node:http';
import Negotiator from 'negotiator';
import { ApiError, livenessBody, requestIdFrom, uptimeSeconds, VERSION, type Logger } from '@stt/shared';
import { hasRequestBody } from '../http/slow-body-guard.js';
import type { ApiMetrics } from '../metrics.js';
import { COMPONENTS, type ComponentName } from './component-report.js';
import { HealthExposition } from './health-exposition.js';
import type { HealthMonitor } from './health-monitor.js';

const OFFERED = ['application/json', 'text/plain', 'application/openmetrics-text'];
const JSON_TYPE = 'application/json; charset=utf-8';

interface HealthAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

type Answerer = (query: URLSearchParams | undefined, accept: string | undefined) => HealthAnswer | Promise<HealthAnswer>;

/**
 * Every health route of the contract (`GET` and `HEAD`, no key), answered on the server's raw
 * request before Fastify sees it: health checks need none of its routing, hooks or body
 * handling, and load balancers and probes send a great many of them. All answer from the
 * monitor's latest snapshot, with no I/O of their own; each keeps what the other routes give a
 * client (`X-Request-ID` kept or made, and echoed; `Cache-Control: no-store`) and is counted in
 * the request metrics (not timed: it answers from memory).
 */
export class HealthEndpoints {
  private readonly answerers: ReadonlyMap<string, Answerer>;
  private readonly exposition: HealthExposition;

  constructor(
    private readonly monitor: HealthMonitor,
    private readonly startedAt: number,
    private readonly metrics: ApiMetrics,
    private readonly logger: Logger,
  ) {
    this.exposition = new HealthExposition(monitor, startedAt);
    const overall: Answerer = (query, accept) => this.overall(query, accept);
    this.answerers = new Map<string, Answerer>([
      ['/health', overall],
      ['/api/v1/health', overall],
      ['/health/ready', overall],
      ['/health/asr', () => this.component('lightning_asr')],
      ['/health/license', () => this.component('license_proxy')],
      ['/health/redis', () => this.component('redis')],
      ['/healthz', () => this.healthz()],
      // Liveness depends on nothing but this process answering, so an ASR outage never restarts API pods.
      ['/health/live', () => json(200, livenessBody(this.startedAt))],
    ]);
  }

  get paths(): readonly string[] {
    return [...this.answerers.keys()];
  }

  /** Answers `request` and returns true when it is a health check; otherwise touches nothing and returns false. */
  serve(request: IncomingMessage, response: ServerResponse): boolean {
    const { method } = request;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const url = request.url ?? '';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const answerer = this.answerers.get(path);
    if (answerer === undefined) return false;

    const requestId = requestIdFrom(request.headers['x-request-id']);
    // Nobody sends a health check a body; one that does could trickle it to hold the connection.
    if (hasRequestBody(request.headers)) response.setHeader('connection', 'close');
    const send = ({ status, contentType, body }: HealthAnswer): void => {
      response.writeHead(status, {
        'content-type': contentType,
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
        'x-request-id': requestId,
      });
      response.end(body);
      this.metrics.countHealthCheck(method, path, status);
    };
    const fail = (error: unknown): void => {
      this.logger.error({ err: error, request_id: requestId }, 'Health request failed');
      if (response.headersSent) return;
      const internal = new ApiError('INTERNAL_ERROR', 'An internal error occurred.');
      send({ status: internal.statusCode, contentType: JSON_TYPE, body: JSON.stringify(internal.toBody(requestId)) });
    };
    try {
      const answer = answerer(queryAt === -1 ? undefined : new URLSearchParams(url.slice(queryAt + 1)), request.headers.accept);
      if (answer instanceof Promise) answer.then(send, fail);
      else send(answer);
    } catch (error) {
      fail(error);
    }
    return true;
  }

  private overall(query: URLSearchParams | undefined, accept: string | undefined): HealthAnswer | Promise<HealthAnswer> {
    const format = prometheusFormat(query?.get('format'), accept);
    if (format) {
      // Always 200: a scrape that fails records nothing, while health_up 0 is the signal.
      return this.exposition.render(format).then(({ contentType, body }) => ({ status: 200, contentType, body }));
    }
    const snapshot = this.monitor.snapshot;
    const status = snapshot.healthy ? 200 : 503;
    if (query?.get('detailed') !== 'true') return { status, contentType: JSON_TYPE, body: snapshot.body };
    return json(status, {
      status: snapshot.healthy ? 'healthy' : 'unhealthy',
      ...(snapshot.reason !== undefined ? { reason: snapshot.reason } : {}),
      components: Object.fromEntries(COMPONENTS.map((name) => [name, snapshot.components[name].status])),
      uptime_seconds: uptimeSeconds(this.startedAt),
      version: VERSION,
      details: Object.fromEntries(COMPONENTS.map((name) => [name, snapshot.components[name].details])),
    });
  }

  private component(name: ComponentName): HealthAnswer {
    const report = this.monitor.snapshot.components[name];
    return json(report.status === 'unhealthy' ? 503 : 200, {
      status: report.status,
      ...(report.reason !== undefined ? { reason: report.reason } : {}),
      ...report.details,
    });
  }

  private healthz(): HealthAnswer {
    const snapshot = this.monitor.snapshot;
    return snapshot.healthy
      ? json(200, { status: 'healthy', ready: true })
      : json(503, { status: 'unhealthy', ready: false, reason: snapshot.reason });
  }
}

function json(status: number, body: unknown): HealthAnswer {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(body) };
}

function prometheusFormat(format: string | null | undefined, accept: string | undefined): 'text' | 'openmetrics' | undefined {
  if (format === 'prometheus') return 'text';
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
