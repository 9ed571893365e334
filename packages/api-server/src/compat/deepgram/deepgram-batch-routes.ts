import type { FastifyInstance } from 'fastify';
import { renderErrorsAs } from '@stt/shared';
import { batchRoute, type ListenRouteOptions } from '../../routes/batch-route.js';
import { registerBatchBodies } from '../../routes/listen-routes.js';
import { deepgramBatchDialect } from './batch-dialect.js';
import { deepgramErrorBody } from './error-body.js';

/** Where Deepgram's SDK reaches us with `baseUrl: http://host:7100/deepgram`. */
export const DEEPGRAM_LISTEN_PATH = '/deepgram/v1/listen';

/** Deepgram's pre-recorded `POST /v1/listen` under `/deepgram`, its errors in Deepgram's shape. */
export async function registerDeepgramBatchRoutes(scope: FastifyInstance, options: ListenRouteOptions): Promise<void> {
  renderErrorsAs(scope, deepgramErrorBody);
  await registerBatchBodies(scope, options);
  scope.post(DEEPGRAM_LISTEN_PATH, batchRoute(options, deepgramBatchDialect));
}
