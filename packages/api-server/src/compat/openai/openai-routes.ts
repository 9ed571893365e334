import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { renderErrorsAs } from '@stt/shared';
import type { ModelCatalog } from '../../asr/model-catalog.js';
import { batchRoute, type BatchDialect, type ListenRouteOptions } from '../../routes/batch-route.js';
import { registerBatchBodies } from '../../routes/listen-routes.js';
import { openAiErrorBody, openAiErrorResponses } from './openai-errors.js';
import { modelList, modelObjectNamed } from './openai-models.js';
import { openAiFieldsSchema, parseOpenAiOptions, type OpenAiAnswerOptions } from './openai-options.js';
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
  scope.post('/v1/audio/transcriptions', { schema: TRANSCRIPTION_SCHEMA }, batchRoute(options, openAiDialect(options.catalog)));
  scope.get('/v1/models', { schema: MODELS_SCHEMA }, async () => modelList(options.catalog));
  scope.get<{ Params: { model: string } }>('/v1/models/:model', { schema: MODEL_SCHEMA }, async (request) => modelObjectNamed(options.catalog, request.params.model));
}

const TRANSCRIPTION_SCHEMA = {
  tags: ['openai'],
  summary: "Transcribe audio (OpenAI-compatible: the openai SDKs' audio.transcriptions.create)",
  querystring: openAiFieldsSchema,
  consumes: ['multipart/form-data', 'application/json'],
  response: {
    200: { description: 'json: {text, usage}; verbose_json: {task, language, duration, text, segments?, words?, usage}; text, srt, vtt: the document' },
    ...openAiErrorResponses,
  },
};

const MODELS_SCHEMA = {
  tags: ['openai'],
  summary: 'The models the workers serve, as OpenAI lists models',
  response: { 200: { description: '{object: "list", data: [{id, object: "model", created, owned_by}]}' }, ...openAiErrorResponses },
};

const MODEL_SCHEMA = {
  tags: ['openai'],
  summary: 'One model the workers serve',
  params: z.object({ model: z.string() }),
  response: { 200: { description: '{id, object: "model", created, owned_by}' }, ...openAiErrorResponses },
};
