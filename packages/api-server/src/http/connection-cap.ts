import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '@stt/shared';

/**
 * Connections accepted beyond the cap so that health checks still get through when slow or
 * idle clients hold every other one; past these, new connections are closed unanswered.
 */
export const HEALTH_CONNECTION_RESERVE = 64;

/**
 * A cap on open client connections (live streams included). A connection opened beyond the
 * cap gets one answer and is closed: a health check is answered as always, anything else gets
 * 503 SERVICE_UNAVAILABLE with `retry_after`, so load balancers and probes are never starved by
 * the clients holding the other connections.
 */
export class ConnectionCap {
  private open = 0;
  private readonly beyondCap = new WeakSet<Socket>();

  constructor(private readonly max: number) {}

  /** Counts `server`'s connections; past the cap and the reserve, Node closes new ones at once. */
  attach(server: Server): void {
    server.maxConnections = this.max + HEALTH_CONNECTION_RESERVE;
    server.on('connection', (socket: Socket) => {
      this.open++;
      socket.once('close', () => this.open--);
      if (this.open > this.max) this.beyondCap.add(socket);
    });
  }

  /** On the raw request, before anything answers it: a connection beyond the cap closes after this answer. */
  closeIfBeyondCap(request: IncomingMessage, response: ServerResponse): void {
    if (this.beyondCap.has(request.socket)) response.setHeader('connection', 'close');
  }

  /** Refuses work on a connection beyond the cap (health checks are answered before Fastify). */
  register(app: FastifyInstance): void {
    app.addHook('onRequest', (request, _reply, done) => {
      if (!this.beyondCap.has(request.raw.socket)) return done();
      done(new ApiError('SERVICE_UNAVAILABLE', `Too many open connections (at most ${this.max}); retry shortly.`, { retry_after: 1 }));
    });
  }
}
