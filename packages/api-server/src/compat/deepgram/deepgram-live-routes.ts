import type { FastifyInstance } from 'fastify';
import { renderErrorsAs } from '@stt/shared';
import { registerLiveRoute, registerLiveSockets, type StreamRouteOptions } from '../../routes/stream-routes.js';
import { DEEPGRAM_LISTEN_PATH } from './deepgram-batch-routes.js';
import { deepgramErrorBody } from './error-body.js';
import { deepgramLiveDialect } from './live-protocol.js';

/** Deepgram's live `/v1/listen` (GET upgrade) under `/deepgram`; refusals before the upgrade in Deepgram's shape. */
export async function registerDeepgramLiveRoutes(scope: FastifyInstance, options: StreamRouteOptions): Promise<void> {
  renderErrorsAs(scope, deepgramErrorBody);
  await registerLiveSockets(scope, options);
  registerLiveRoute(scope, DEEPGRAM_LISTEN_PATH, options, deepgramLiveDialect);
}
