import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type Logger } from '@stt/shared';
import type { SpeakerDiarizer } from '../diarization/speaker-diarizer.js';
import type { HealthMonitor } from '../health/health-monitor.js';
import type { RequestOutcomes } from '../health/request-outcomes.js';
import type { BatchTranscriber, IngestedAudio, SegmentRouting, TranscriptionRun } from '../transcription/batch-transcriber.js';
import type { BatchTranscript } from '../transcription/batch-transcript.js';
import type { CallbackJobs } from '../transcription/callback-jobs.js';
import type { UsageLimiter } from '../limits/usage-limiter.js';
import type { ListenOptions } from '../transcription/listen-options.js';
import type { ModelCatalog } from '../asr/model-catalog.js';
import type { TranscriptionQueue } from '../transcription/transcription-queue.js';
import { decodeAudio } from '../audio/index.js';
import { spoolToTempFile, type SpooledFile } from '../audio/spool-to-file.js';
import { assertUrlAllowed, fetchAudio } from '../url-fetch/index.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';
import { listenFeatures, newRequestUsage } from '../usage/usage-recording.js';
import { ByteLimitStream } from '../url-fetch/byte-limit-stream.js';
import { maxBodyBytes, readListenInput, type AudioSource } from './listen-input.js';
import { interruptedUpload, uploadTooLarge } from './upload-errors.js';
import { assertAcceptingWork } from './work-admission.js';
import { ClientGoneError } from '../errors/client-gone-error.js';

export interface ListenRouteOptions {
  readonly transcriber: BatchTranscriber;
  readonly diarizer: SpeakerDiarizer;
  readonly queue: TranscriptionQueue;
  readonly catalog: ModelCatalog;
  readonly monitor: HealthMonitor;
  readonly callbackJobs: CallbackJobs;
  /** Where each request's outcome is counted, for the API server's health. */
  readonly outcomes: RequestOutcomes;
  readonly limiter: UsageLimiter;
  readonly usage: UsageRecorder;
  readonly logger: Logger;
  readonly limits: {
    readonly maxUploadBytes: number;
    readonly maxDurationSeconds: number;
    readonly requestTimeoutMs: number;
    readonly maxQueuedSegments: number;
    readonly urlFetchTimeoutMs: number;
    readonly urlAllowedHosts: readonly string[];
  };
  /** HMAC key for callback signatures; the caller's own license key when unset. */
  readonly webhookSecret: string | undefined;
}

/** A request's options: the native ones, and those only its API has (a response format, …). */
export interface DialectOptions<Own> {
  readonly listen: ListenOptions;
  readonly own: Own;
}

/**
 * How one API (ours, the cloud API, OpenAI's, Deepgram's) reads a batch request and answers
 * it. Admission, limits, decoding, queueing, timeouts and callbacks are the same for all.
 */
export interface BatchDialect<Own> {
  /** The multipart field that carries the file. */
  readonly audioField: string;
  /**
   * The model is chosen once every field is read, the upload held on disk until then: for
   * clients that send the file before the options (OpenAI's SDK puts `file` first).
   */
  readonly optionsAfterAudio: boolean;
  /** The request's fields (query, form or JSON, merged), validated; a bad value throws ApiError. */
  parse(fields: Readonly<Record<string, unknown>>): DialectOptions<Own>;
  /** The 200 answer. */
  respond(reply: FastifyReply, answer: BatchAnswer<Own>): FastifyReply;
}

export interface BatchAnswer<Own> {
  readonly requestId: string;
  readonly transcript: BatchTranscript;
  readonly options: DialectOptions<Own>;
  /** Bytes of audio received (uploaded or fetched). */
  readonly uploadBytes: number;
  /** The SHA-256 of those bytes, hex. */
  readonly audioSha256: string;
  readonly processingMs: number;
}

/**
 * The handler of a batch route in `dialect`: sync, or 202 + webhook with `callback_url`.
 */
export function batchRoute<Own>(
  options: ListenRouteOptions,
  dialect: BatchDialect<Own>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  const { limits } = options;
  return answeredOnce(async (request, reply) => {
    const startedAt = performance.now();
    const usage = (request.usage = newRequestUsage('batch'));
    refuseDeclaredOversize(request, reply, limits.maxUploadBytes);
    await assertAcceptingWork(options.monitor, options.queue, limits.maxQueuedSegments);
    const slot = await options.limiter.admit(request.license!, request.id);
    let slotHandedOver = false;
    const id = `job_${randomUUID().replaceAll('-', '')}`;
    const abort = new AbortController();
    let run: TranscriptionRun | undefined;
    let audio: IngestedAudio | undefined;
    let uploadBytes = 0;
    const audioHash = createHash('sha256');
    /** Chosen as the audio starts (before a URL is fetched), from the options sent before it. */
    let routing: SegmentRouting | undefined;
    const route = (listen: ListenOptions): SegmentRouting => ({ model: options.catalog.choose(listen), diarize: listen.diarize });
    const begin = async (stream: Readable, kind: AudioSource['kind']): Promise<void> => {
      const counted = new ByteLimitStream(limits.maxUploadBytes, () => uploadTooLarge(limits.maxUploadBytes));
      // `finished`, not an 'error' listener: the parser may have failed the stream before it got
      // here (a small form whose closing boundary is missing arrives, and fails, all at once). A
      // URL's body fails with errors already meant for the client (URL_FETCH_FAILED).
      finished(stream).catch((error: unknown) => counted.destroy(kind === 'upload' ? interruptedUpload(error, request.log) : toError(error)));
      counted.on('data', (chunk: Buffer) => {
        uploadBytes += chunk.length;
        audioHash.update(chunk);
      });
      // The decoder may be done before the upload is (a WAV's data chunk can end before its file):
      // the rest still flows through the count, and an error there (the limit crossed, a form cut
      // short) still fails the request rather than going unheard.
      const uploaded = finished(counted);
      stream.pipe(counted);
      const pcm = decodeAudio(counted, {
        signal: abort.signal,
        maxDurationSeconds: limits.maxDurationSeconds,
        onDecoderError: (detail) => request.log.warn({ ffmpeg: detail }, 'ffmpeg could not decode the upload'),
      });
      run = options.transcriber.start(id, request.id, routing!, pcm);
      [audio] = await Promise.all([run.ingested, uploaded]);
    };
    const cancel = (reason: Error): void => {
      abort.abort(reason);
      run?.cancel(reason);
    };

    // The time limit and the client going away apply from arrival, reading the upload included;
    // a callback job leaves both behind once it has been accepted.
    const timer = setTimeout(
      () => cancel(new ApiError('REQUEST_TIMEOUT', `Transcription took longer than ${limits.requestTimeoutMs / 1000} s.`)),
      limits.requestTimeoutMs,
    );
    const onClose = (): void => {
      if (!reply.raw.writableEnded) cancel(new ClientGoneError());
    };
    reply.raw.once('close', onClose);
    /** An upload held on disk until the fields after it are read (`optionsAfterAudio`). */
    let spooled: SpooledFile | undefined;
    try {
      let requestOptions: DialectOptions<Own>;
      try {
        const { fields } = await readListenInput(request, limits.maxUploadBytes, dialect.audioField, async (source: AudioSource, fieldsSoFar) => {
          if (source.kind === 'upload' && dialect.optionsAfterAudio) {
            spooled = await spoolToTempFile(source.stream);
            return;
          }
          routing = route(dialect.parse(fieldsSoFar).listen);
          if (source.kind === 'upload') return begin(source.stream, source.kind);
          const fetched = await fetchAudio(source.url, {
            allowedHosts: limits.urlAllowedHosts,
            timeoutMs: limits.urlFetchTimeoutMs,
            maxBytes: limits.maxUploadBytes,
            signal: abort.signal,
          });
          return begin(fetched.stream, source.kind);
        });
        requestOptions = dialect.parse(fields);
        if (spooled !== undefined) {
          routing = route(requestOptions.listen);
          await begin(createReadStream(spooled.path), 'upload');
        } else assertRoutingKept(routing!, route(requestOptions.listen));
        usage.features = listenFeatures(requestOptions.listen);
        const callbackUrl = requestOptions.listen.callback_url;
        if (callbackUrl !== undefined) await assertUrlAllowed(callbackUrl, limits.urlAllowedHosts);
      } catch (error) {
        cancel(toError(error));
        if (!request.raw.complete) discardRestOfUpload(request, reply, error);
        throw error;
      }
      const listenOptions = requestOptions.listen;
      const transcription = run!;

      if (listenOptions.callback_url !== undefined) {
        await options.callbackJobs
          .accept({
            jobId: id,
            requestId: request.id,
            slot,
            options: { ...listenOptions, callback_url: listenOptions.callback_url },
            features: usage.features,
            secret: options.webhookSecret ?? request.licenseKey!,
            audio: audio!,
          })
          .catch((error: unknown) => {
            cancel(toError(error));
            throw error;
          });
        // From here on the job is Redis's and whichever API server holds it: its slot, usage and segments too.
        transcription.handOver();
        slotHandedOver = true;
        usage.deferred = true;
        return reply.code(202).send({ job_id: id, request_id: request.id, status: 'processing' });
      }

      const transcript = await options.diarizer.label(await transcription.result, listenOptions, request.id);
      usage.audioSeconds = transcript.durationSeconds;
      request.log.info({ audio_seconds: transcript.durationSeconds, segments: transcript.segments }, 'Transcription completed');
      return dialect.respond(reply, { requestId: request.id, transcript, options: requestOptions, uploadBytes, audioSha256: audioHash.digest('hex'), processingMs: performance.now() - startedAt });
    } finally {
      void spooled?.remove();
      clearTimeout(timer);
      reply.raw.off('close', onClose);
      if (!slotHandedOver) await options.limiter.release(slot, usage.audioSeconds, request.log);
    }
  });
}

/**
 * A form whose `model` or `language`, sent after its audio part, would have sent the audio to
 * another model; or whose `diarize`, to workers that gather no speaker evidence.
 */
function assertRoutingKept(started: SegmentRouting, requested: SegmentRouting): void {
  if (requested.model !== started.model) {
    throw new ApiError('INVALID_PARAMETER', 'Send model and language before the audio part of the form (or as query parameters): they choose the model the audio goes to.', {
      parameter: 'model',
    });
  }
  if (requested.diarize !== started.diarize) {
    throw new ApiError('INVALID_PARAMETER', 'Send diarize before the audio part of the form (or as a query parameter): the audio is analysed for speakers as it is read.', {
      parameter: 'diarize',
    });
  }
}

/**
 * A body whose Content-Length cannot fit the upload limit is refused from its header, before a
 * byte of it is read; the connection closes after the answer, as for any upload over the limit.
 */
function refuseDeclaredOversize(request: FastifyRequest, reply: FastifyReply, maxUploadBytes: number): void {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes(request, maxUploadBytes)) {
    void reply.header('connection', 'close');
    throw uploadTooLarge(maxUploadBytes);
  }
}

/**
 * Refused before the upload was read to its end. The client is still sending: read and drop the
 * rest, so it sees our answer (not a reset) and the keep-alive socket stays usable. Past the size
 * limit that could go on without end, so the connection is closed after answering instead.
 */
function discardRestOfUpload(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  if (error instanceof ApiError && error.code === 'FILE_TOO_LARGE') {
    void reply.header('connection', 'close');
    return;
  }
  request.raw.unpipe();
  request.raw.resume();
}

/**
 * A request already answered by someone else (408 for a body too slow) still ends its handler,
 * with the error that stopped its work: nothing more to tell the client, and no failure to log.
 */
function answeredOnce(
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return async (request, reply) => {
    try {
      return await handler(request, reply);
    } catch (error) {
      if (!reply.sent) throw error;
      request.log.debug({ err: error }, 'Work stopped after its request was answered');
      return reply;
    }
  };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

