import type { FastifyInstance } from 'fastify';
import { ApiError } from '@stt/shared';

/**
 * Counts work in flight (every request Fastify sees) and, once draining, refuses new work with
 * 503 while letting what is in flight finish. WebSocket upgrades are refused the same way but
 * not counted here: an upgraded request never closes as a request does, so live sessions are
 * counted by whoever runs them and passed to `drain`.
 */
export class Drain {
  private inFlight = 0;
  private draining = false;

  get active(): number {
    return this.inFlight;
  }

  register(app: FastifyInstance): void {
    app.addHook('onRequest', (request, reply, done) => {
      if (this.draining) return done(new ApiError('SERVICE_UNAVAILABLE', 'Server is shutting down', { retry_after: 5 }));
      if (request.headers.upgrade !== undefined) return done();
      this.inFlight++;
      // The response's 'close' fires once whether it finished or the client went away. The
      // request's own may never fire: a body refused unread (FILE_TOO_LARGE) ends with its socket.
      reply.raw.once('close', () => this.inFlight--);
      done();
    });
  }

  /**
   * Stops taking work and resolves when nothing is in flight (requests, and `sessions()` live
   * sessions) or `timeoutMs` has passed.
   */
  async drain(timeoutMs: number, sessions: () => number = () => 0): Promise<{ unfinished: number }> {
    this.draining = true;
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight + sessions() > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { unfinished: this.inFlight + sessions() };
  }
}
