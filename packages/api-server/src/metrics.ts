import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { StreamLatency } from './streaming/stream-latency.js';

/**
 * The API server's `/metrics`: process metrics, a count and latency of every request by route,
 * and the latency of live transcription messages.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly streamLatency = new StreamLatency(this.registry);
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;
  /** Health checks answered since the last scrape, added to the counter when it is read. */
  private readonly uncounted = new Map<string, { method: string; route: string; status: number; count: number }>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'api_http_requests_total',
      help: 'HTTP requests answered, by route and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
      collect: () => this.addUncounted(),
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
      const route = request.routeOptions.url ?? 'unmatched';
      this.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
      this.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
      done();
    });
  }

  /**
   * Counts one answered health check, as cheaply as can be: load balancers and probes send a
   * great many. It is counted, not timed: it answers from memory, always within the first bucket.
   */
  countHealthCheck(method: string, route: string, status: number): void {
    const key = `${method} ${route} ${status}`;
    const tally = this.uncounted.get(key);
    if (tally === undefined) this.uncounted.set(key, { method, route, status, count: 1 });
    else tally.count++;
  }

  private addUncounted(): void {
    for (const tally of this.uncounted.values()) {
      if (tally.count > 0) this.requests.inc({ method: tally.method, route: tally.route, status: String(tally.status) }, tally.count);
      tally.count = 0;
    }
  }
}
