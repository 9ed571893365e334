import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

interface Series {
  readonly count: ReturnType<Counter<'method' | 'route' | 'status'>['labels']>;
  readonly duration: ReturnType<Histogram<'method' | 'route'>['labels']>;
}

/** The API server's `/metrics`: process metrics and a count and latency of every request by route. */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;
  /** Each label combination's series, looked up once: health checks are counted at a high rate. */
  private readonly series = new Map<string, Series>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'api_http_requests_total',
      help: 'HTTP requests answered, by route and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'api_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 300],
      registers: [this.registry],
    });
  }

  register(app: FastifyInstance): void {
    app.addHook('onResponse', (request, reply, done) => {
      // Unknown routes share one label so a scanner cannot blow up the series count.
      this.record(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  /** Counts one answered request and how long it took. */
  record(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = { count: this.requests.labels(method, route, String(status)), duration: this.duration.labels(method, route) };
      this.series.set(key, series);
    }
    series.count.inc();
    series.duration.observe(seconds);
  }
}
