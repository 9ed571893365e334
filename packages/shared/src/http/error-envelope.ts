import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from '../errors/api-error.js';

/** An error's body as one API shows it: the contract's envelope, or a compatible API's own shape. */
export type ErrorBodyRenderer = (error: ApiError, requestId: string) => Record<string, unknown>;

const contractEnvelope: ErrorBodyRenderer = (error, requestId) => error.toBody(requestId);

/**
 * Makes every error leave the server in the contract's envelope with the request id, and keeps
 * stacks and internals in the log only. Validation failures become INVALID_PARAMETER.
 */
export function installErrorEnvelope(app: FastifyInstance): void {
  renderErrorsAs(app, contractEnvelope);
  app.setNotFoundHandler((request, reply) => {
    const error = new ApiError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`);
    return reply.code(error.statusCode).send(error.toBody(request.id));
  });
}

/**
 * The errors of `scope`'s routes (auth refusals included) in `render`'s shape, with the same
 * status codes, `Retry-After` and logging as everywhere else: what a compatible API's routes use.
 */
export function renderErrorsAs(scope: FastifyInstance, render: ErrorBodyRenderer): void {
  scope.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.code === 'INTERNAL_ERROR') {
      request.log.error({ err: error }, 'Request failed');
    }
    const retryAfter = apiError.retryAfterSeconds;
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    return reply.code(apiError.statusCode).send(render(apiError, request.id));
  });
}

/** Anything a handler threw, as the error a client may see. */
function toApiError(error: FastifyError | ApiError): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) {
    const parameter = String(error.validation[0]?.instancePath.replace(/^\//, '') || error.validationContext || 'request');
    return new ApiError('INVALID_PARAMETER', `Invalid value for ${parameter}.`, { parameter });
  }
  if (error.statusCode === 413) {
    // Audio uploads are limited (and answered FILE_TOO_LARGE) by the routes themselves; this is
    // a JSON or form body over its own small limit.
    return new ApiError('INVALID_PARAMETER', 'The request body is larger than this server accepts.', { parameter: 'body' });
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError('INVALID_PARAMETER', 'The request could not be read.', { parameter: 'body' });
  }
  return new ApiError('INTERNAL_ERROR', 'An internal error occurred.');
}
