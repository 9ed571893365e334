import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '@stt/shared';
import { countAnsweredRequests } from '../health/request-outcome-hooks.js';
import { visibleJob } from '../transcription/callback-job-record.js';
import { parseListenOptions } from '../transcription/listen-options.js';
import { cloudResponse, listenResponse } from '../transcription/listen-response.js';
import { registerUsageRecording } from '../usage/usage-recording.js';
import { batchRoute, type BatchDialect, type ListenRouteOptions } from './batch-route.js';
import { FORM_LIMITS } from './listen-input.js';

export type { ListenRouteOptions } from './batch-route.js';

/** The contract's `POST /v1/listen`: form field `audio`, options under their documented names. */
const listenDialect: BatchDialect<undefined> = {
  audioField: 'audio',
  optionsAfterAudio: false,
  parse: (fields) => ({ listen: parseListenOptions(fields), own: undefined }),
  respond: (reply, { requestId, transcript, options, processingMs }) => reply.send(listenResponse(requestId, transcript, options.listen, processingMs)),
};

/** The cloud API's option names, as the documented ones. */
const CLOUD_NAMES: Readonly<Record<string, string>> = { word_timestamps: 'timestamps', webhook_url: 'callback_url' };

/** The cloud API (`/api/v1/lightning/get_text`, `/waves/v1/pulse/get_text`): its option names, its body. */
const cloudDialect: BatchDialect<undefined> = {
  ...listenDialect,
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
  app.post('/v1/listen', batchRoute(options, listenDialect));
  app.post('/api/v1/lightning/get_text', batchRoute(options, cloudDialect));
  app.post('/waves/v1/pulse/get_text', batchRoute(options, cloudDialect));
  app.get<{ Params: { job_id: string } }>('/v1/listen/:job_id', async (request, reply) => {
    const record = await options.callbackJobs.get(request.params.job_id);
    if (record === undefined || record.license_id !== request.license!.license_id) {
      throw new ApiError('NOT_FOUND', 'No such job (results are kept for a limited time).');
    }
    return reply.send(visibleJob(record));
  });
}

function renameKeys(fields: Readonly<Record<string, unknown>>, names: Readonly<Record<string, string>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [names[name] ?? name, value]));
}
