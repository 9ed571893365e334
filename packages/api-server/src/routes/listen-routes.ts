import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError } from '@stt/shared';
import { countAnsweredRequests } from '../health/request-outcome-hooks.js';
import { visibleJob } from '../transcription/callback-job-record.js';
import { listenOptionsSchema, parseListenOptions } from '../transcription/listen-options.js';
import { errorResponses } from '../openapi/error-body-schema.js';
import { cloudResponse, listenResponse } from '../transcription/listen-response.js';
import { answerFormat, nativeFormatSchema, requestedFormat, type NativeFormat } from '../transcription/native-format.js';
import { shownWords } from '../transcription/punctuate.js';
import { sendTextFormat } from '../transcription/subtitles/text-formats.js';
import { registerUsageRecording } from '../usage/usage-recording.js';
import { batchRoute, type BatchDialect, type ListenRouteOptions } from './batch-route.js';
import { FORM_LIMITS } from './listen-input.js';

export type { ListenRouteOptions } from './batch-route.js';

/**
 * The contract's `POST /v1/listen`: form field `audio`, options under their documented names;
 * the JSON body, or with `format` (or an `Accept` header) the transcript as text or subtitles.
 */
const listenDialect: BatchDialect<NativeFormat | undefined> = {
  audioField: 'audio',
  optionsAfterAudio: false,
  parse: (fields) => {
    const listen = parseListenOptions(fields);
    return { listen, own: requestedFormat(fields, listen.callback_url) };
  },
  respond: (reply, { requestId, transcript, options, processingMs }) => {
    const format = answerFormat(options.own, reply.request.headers.accept);
    if (format !== 'json') return sendTextFormat(reply, format, shownWords(transcript.words, options.listen.punctuate));
    return reply.send(listenResponse(requestId, transcript, options.listen, processingMs));
  },
};

/** The cloud API's option names, as the documented ones. */
const CLOUD_NAMES: Readonly<Record<string, string>> = { word_timestamps: 'timestamps', webhook_url: 'callback_url' };

/** The cloud API (`/api/v1/lightning/get_text`, `/waves/v1/pulse/get_text`): its option names, its body. */
const cloudDialect: BatchDialect<undefined> = {
  audioField: 'audio',
  optionsAfterAudio: false,
  parse: (fields) => ({ listen: parseListenOptions(renameKeys(fields, CLOUD_NAMES)), own: undefined }),
  respond: (reply, { transcript, options, uploadBytes }) => reply.send(cloudResponse(transcript, options.listen, uploadBytes)),
};

/**
 * What every scope of batch routes needs before its routes: multipart forms and raw audio
 * bodies, usage recording and outcome counting.
 */
export async function registerBatchBodies(scope: FastifyInstance, options: ListenRouteOptions): Promise<void> {
  registerUsageRecording(scope, options.usage);
  countAnsweredRequests(scope, options.outcomes);
  await scope.register(multipart, {
    // One byte over our own limit: the route's ByteLimitStream answers first, with max_size_mb.
    limits: { ...FORM_LIMITS, fileSize: options.limits.maxUploadBytes + 1 },
    throwFileSizeLimit: true,
  });
  // Raw audio bodies are streamed to the decoder, never buffered: any content type but JSON and forms.
  scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
}

/**
 * `POST /v1/listen` (sync, or 202 + webhook with `callback_url`), `GET /v1/listen/{job_id}`,
 * and the cloud-compatible `POST /api/v1/lightning/get_text` and `/waves/v1/pulse/get_text`.
 */
export async function registerListenRoutes(app: FastifyInstance, options: ListenRouteOptions): Promise<void> {
  await registerBatchBodies(app, options);
  app.post('/v1/listen', { schema: batchSchema('Transcribe audio (the contract\'s batch API)', LISTEN_ANSWERS, LISTEN_QUERY) }, batchRoute(options, listenDialect));
  for (const path of ['/api/v1/lightning/get_text', '/waves/v1/pulse/get_text']) {
    app.post(path, { schema: batchSchema('Transcribe audio (cloud-compatible alias: word_timestamps, webhook_url)', CLOUD_ANSWERS, listenOptionsSchema) }, batchRoute(options, cloudDialect));
  }
  app.get<{ Params: { job_id: string } }>('/v1/listen/:job_id', { schema: JOB_SCHEMA }, async (request, reply) => {
    const record = await options.callbackJobs.get(request.params.job_id);
    if (record === undefined || record.license_id !== request.license!.license_id) {
      throw new ApiError('NOT_FOUND', 'No such job (results are kept for a limited time).');
    }
    return reply.send(visibleJob(record));
  });
}

/** What a batch route takes: audio as a form's file, raw bytes, or a JSON {url}; options anywhere. */
export const BATCH_BODY_TYPES = ['multipart/form-data', 'application/json', 'audio/*', 'application/octet-stream'];

/** The options of `POST /v1/listen`: the native ones and the answer's format. */
const LISTEN_QUERY = listenOptionsSchema.extend(nativeFormatSchema.shape);

const LISTEN_ANSWERS = {
  200: {
    description:
      '{request_id, text, confidence, duration, language, words?, utterances?, paragraphs?, metadata}; with format=text|srt|vtt (or Accept: text/plain, application/x-subrip, text/vtt) the transcript as that document',
  },
  202: { description: 'With callback_url: {job_id, request_id, status: "processing"}; the result is POSTed to the callback, signed (X-Signature).' },
};
const CLOUD_ANSWERS = { 200: { description: '{status: "success", transcription, words, utterances, metadata: {duration, fileSize}}' } };

/** The document's view of a batch route: its options are the zod schema the handler parses with. */
function batchSchema(summary: string, answers: Record<number, { description: string }>, options: z.ZodType) {
  return { tags: ['transcription'], summary, querystring: options, consumes: BATCH_BODY_TYPES, response: { ...answers, ...errorResponses } };
}

const JOB_SCHEMA = {
  tags: ['transcription'],
  summary: 'A callback job: its status, and its result while it is kept',
  params: z.object({ job_id: z.string() }),
  response: { 200: { description: '{job_id, status, result? | error?}' }, ...errorResponses },
};

function renameKeys(fields: Readonly<Record<string, unknown>>, names: Readonly<Record<string, string>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [names[name] ?? name, value]));
}
