import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerFactory, type FastifyServerOptions } from 'fastify';
import type { Logger } from '../logging/logger.js';
import { clientErrorEnvelope } from './client-error-envelope.js';
import { installErrorEnvelope } from './error-envelope.js';
import { requestIdFrom } from './request-id.js';

/** Answers a raw request itself and returns true, or returns false and leaves it untouched. */
export type RawRequestHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * A Fastify instance as every service of the stack wants it: our pino logger with `request_id`,
 * the client's `X-Request-ID` kept (or a fresh one) and echoed, and errors in the contract's envelope.
 * `answerFirst`, when given, sees each request before Fastify does (the API server's health checks).
 */
export function createHttpServer(logger: Logger, options: FastifyServerOptions = {}, answerFirst?: RawRequestHandler): FastifyInstance {
  const serverFactory: FastifyServerFactory<Server> = (handler, settings) => {
    const server = createServer((request, response) => {
      if (answerFirst?.(request, response) !== true) handler(request, response);
    });
    // What Fastify sets on a server it makes itself, and leaves to a factory.
    server.keepAliveTimeout = numberSetting(settings.keepAliveTimeout);
    server.requestTimeout = numberSetting(settings.requestTimeout);
    server.setTimeout(numberSetting(settings.connectionTimeout));
    return server;
  };
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast only narrows Fastify's generic parameter.
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: (request) => requestIdFrom(request.headers['x-request-id']),
    clientErrorHandler: clientErrorEnvelope(logger),
    serverFactory,
    ...options,
  });
  // Callback-style hooks: cheaper than async ones on every request.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  installErrorEnvelope(app);
  return app;
}

function numberSetting(value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`expected a number from Fastify's settings, got ${String(value)}`);
  return value;
}
