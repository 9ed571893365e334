import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '@stt/shared';

export interface SlowBodyOptions {
  /** The window over which a body's rate is measured: also the longest it may send nothing. */
  readonly windowMs: number;
  /** The slowest a body may arrive, averaged over each window (0: only a body silent for a whole window is cut). */
  readonly minBytesPerSecond: number;
}

/**
 * Cuts request bodies that arrive too slowly: a client trickling bytes holds a connection and a
 * request (its limiter slot, its decoder) for as long as it likes otherwise. A body that sends
 * fewer than `minBytesPerSecond` × window bytes (at least one) in a window gets 408
 * REQUEST_BODY_TIMEOUT and its connection is closed; one whose answer already went out (a 401,
 * say) only loses the connection. A window in which the server itself stopped reading
 * (backpressure from a busy decoder) never counts against the client.
 */
export class SlowBodyGuard {
  private readonly minBytesPerWindow: number;

  constructor(private readonly options: SlowBodyOptions) {
    this.minBytesPerWindow = Math.max(1, Math.ceil((options.minBytesPerSecond * options.windowMs) / 1000));
  }

  register(app: FastifyInstance): void {
    app.addHook('onRequest', (request, reply, done) => {
      if (hasRequestBody(request.headers)) this.watch(request, reply);
      done();
    });
  }

  private watch(request: FastifyRequest, reply: FastifyReply): void {
    const body = request.raw;
    const socket = body.socket;
    let mark = socket.bytesRead;
    // Node pauses the socket when the body's reader is not keeping up: the server's doing.
    let serverPaused = socket.isPaused();
    const onPause = (): void => {
      serverPaused = true;
    };
    const timer = setInterval(() => {
      if (body.complete || socket.destroyed) return stop();
      const received = socket.bytesRead - mark;
      mark = socket.bytesRead;
      const excused = serverPaused || socket.isPaused();
      serverPaused = socket.isPaused();
      if (excused || received >= this.minBytesPerWindow) return;
      stop();
      this.cut(request, reply);
    }, this.options.windowMs);
    const stop = (): void => {
      clearInterval(timer);
      socket.off('pause', onPause);
      body.off('end', stop);
      socket.off('close', stop);
    };
    socket.on('pause', onPause);
    body.once('end', stop);
    socket.once('close', stop);
  }

  private cut(request: FastifyRequest, reply: FastifyReply): void {
    const socket = request.raw.socket;
    request.log.warn({ bytes_read: socket.bytesRead }, 'Request body too slow; closing the connection');
    if (reply.raw.headersSent) {
      if (reply.raw.writableFinished) socket.destroy();
      else reply.raw.once('finish', () => socket.destroy());
      return;
    }
    const window = this.options.windowMs / 1000;
    const error = new ApiError(
      'REQUEST_BODY_TIMEOUT',
      this.options.minBytesPerSecond > 0
        ? `The request body arrived too slowly: under ${this.options.minBytesPerSecond} bytes/s over ${window} s.`
        : `The request body sent nothing for ${window} s.`,
    );
    void reply.header('connection', 'close').send(error);
    // Once the answer is out, end the body for whoever reads it, so the request's work stops.
    reply.raw.once('finish', () => request.raw.destroy(error));
  }
}

/** Whether a request comes with a body (health checks and WebSocket upgrades do not). */
export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
