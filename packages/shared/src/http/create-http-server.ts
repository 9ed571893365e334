import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from '../logging/logger.js';
import { clientErrorEnvelope } from './client-error-envelope.js';
import { installErrorEnvelope } from './error-envelope.js';
import { requestIdFrom } from './request-id.js';

/**
 * A Fastify instance as every service of the stack wants it: our pino logger with `request_id`,
 * the client's `X-Request-ID` kept (or a fresh one) and echoed, and errors in the contract's envelope.
 */
export function createHttpServer(logger: Logger, options: FastifyServerOptions = {}): FastifyInstance {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast only narrows Fastify's generic parameter.
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: (request) => requestIdFrom(request.headers['x-request-id']),
    clientErrorHandler: clientErrorEnvelope(logger),
    ...options,
  });
  // Callback-style hooks: cheaper than async ones on every request, health checks included.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  installErrorEnvelope(app);
  return app;
}
