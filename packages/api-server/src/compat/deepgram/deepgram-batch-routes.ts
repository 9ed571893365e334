import type { FastifyInstance } from 'fastify';
import { renderErrorsAs } from '@stt/shared';
import { batchRoute, type ListenRouteOptions } from '../../routes/batch-route.js';
import { BATCH_BODY_TYPES, registerBatchBodies } from '../../routes/listen-routes.js';
import { deepgramBatchDialect } from './batch-dialect.js';
import { batchQuerySchema } from './batch-options.js';
import { deepgramErrorBody, deepgramErrorResponses } from './error-body.js';

/** Where Deepgram's SDK reaches us with `baseUrl: http://host:7100/deepgram`. */
export const DEEPGRAM_LISTEN_PATH = '/deepgram/v1/listen';

/** Deepgram's pre-recorded `POST /v1/listen` under `/deepgram`, its errors in Deepgram's shape. */
export async function registerDeepgramBatchRoutes(scope: FastifyInstance, options: ListenRouteOptions): Promise<void> {
  renderErrorsAs(scope, deepgramErrorBody);
  await registerBatchBodies(scope, options);
  scope.post(DEEPGRAM_LISTEN_PATH, { schema: BATCH_SCHEMA }, batchRoute(options, deepgramBatchDialect));
}

/** The document's view of the route: its query is the zod schema the dialect parses with. */
const BATCH_SCHEMA = {
  tags: ['deepgram'],
  summary: "Deepgram-compatible pre-recorded transcription: @deepgram/sdk's transcribeFile / transcribeUrl with baseUrl …/deepgram",
  // Deepgram's unsupported options (docs/compatibility.md) are read besides these.
  querystring: batchQuerySchema,
  consumes: BATCH_BODY_TYPES,
  response: {
    200: { description: '{metadata: {request_id, sha256, created, duration, channels, models, model_info, warnings?}, results: {channels: [{alternatives: [{transcript, confidence, words, paragraphs?}]}], utterances?}}' },
    ...deepgramErrorResponses,
  },
};
