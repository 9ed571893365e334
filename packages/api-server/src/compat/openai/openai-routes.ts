import type { FastifyInstance } from 'fastify';
import { renderErrorsAs } from '@stt/shared';
import type { ModelCatalog } from '../../asr/model-catalog.js';
import { batchRoute, type BatchDialect, type ListenRouteOptions } from '../../routes/batch-route.js';
import { registerBatchBodies } from '../../routes/listen-routes.js';
import { openAiErrorBody } from './openai-errors.js';
import { modelList, modelObjectNamed } from './openai-models.js';
import { parseOpenAiOptions, type OpenAiAnswerOptions } from './openai-options.js';
import { sendOpenAiTranscription } from './openai-responses.js';

/**
 * OpenAI's `POST /v1/audio/transcriptions`: the file in `file`, sent before the other fields
 * (as OpenAI's SDKs do), so the upload waits on disk until `model` and `language` are read.
 */
function openAiDialect(catalog: ModelCatalog): BatchDialect<OpenAiAnswerOptions> {
  return {
    audioField: 'file',
    optionsAfterAudio: true,
    parse: (fields) => parseOpenAiOptions(catalog, fields),
    respond: (reply, { transcript, options }) => sendOpenAiTranscription(reply, transcript, options.listen.language, options.own),
  };
}

/**
 * The OpenAI-compatible routes (`baseURL: http://host:7100/v1`), every error in OpenAI's shape:
 * transcriptions, and the models the workers serve.
 */
export async function registerOpenAiRoutes(scope: FastifyInstance, options: ListenRouteOptions): Promise<void> {
  renderErrorsAs(scope, openAiErrorBody);
  await registerBatchBodies(scope, options);
  scope.post('/v1/audio/transcriptions', batchRoute(options, openAiDialect(options.catalog)));
  scope.get('/v1/models', async () => modelList(options.catalog));
  scope.get<{ Params: { model: string } }>('/v1/models/:model', async (request) => modelObjectNamed(options.catalog, request.params.model));
}
