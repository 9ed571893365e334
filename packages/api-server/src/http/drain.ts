import type { FastifyInstance } from 'fastify';
import { ApiError } from '@stt/shared';

/**
 * Counts work in flight (every non-public request) and, once draining, refuses new work with
 * 503 while letting what is in flight finish.
 */
export class Drain {
  private inFlight = 0;
  private draining = false;

  get active(): number {
    return this.inFlight;
  }

  register(app: FastifyInstance): void {
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.routeOptions.config.public === true) return done();
      if (this.draining) return done(new ApiError('SERVICE_UNAVAILABLE', 'Server is shutting down', { retry_after: 5 }));
      this.inFlight++;
      // 'close' fires once whether the response finished or the client went away.
      request.raw.once('close', () => this.inFlight--);
      done();
    });
  }

  /** Stops taking work and resolves when nothing is in flight or `timeoutMs` has passed. */
  async drain(timeoutMs: number): Promise<{ unfinished: number }> {
    this.draining = true;
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { unfinished: this.inFlight };
  }
}
