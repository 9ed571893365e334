import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { ApiError, CLOSE_CODES, type Logger, type StreamQuery } from '@stt/shared';
import type { HealthMonitor } from '../health/health-monitor.js';
import { countRefusedStreams } from '../health/request-outcome-hooks.js';
import type { RequestOutcomes } from '../health/request-outcomes.js';
import type { UsageLimiter } from '../limits/usage-limiter.js';
import { StreamRelay, type ClientFrame, type WorkerConnection } from '../streaming/stream-relay.js';
import type { LiveDialect, LiveProtocol } from '../streaming/live-protocol.js';
import type { LiveSessions } from '../streaming/live-sessions.js';
import { nativeLiveDialect } from '../streaming/native-live-protocol.js';
import type { StreamLatency } from '../streaming/stream-latency.js';
import type { StreamWorkerPicker } from '../streaming/stream-worker-picker.js';
import { connectWorkerStream, WorkerRefusedStream } from '../streaming/worker-stream-connection.js';
import { primaryLanguage } from '../transcription/listen-options.js';
import type { ModelCatalog } from '../asr/model-catalog.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';
import { newRequestUsage, usageEvent } from '../usage/usage-recording.js';
import { assertComponentsServing } from './work-admission.js';

export interface StreamRouteOptions {
  readonly monitor: HealthMonitor;
  readonly catalog: ModelCatalog;
  /** Where each stream's outcome is counted, for the API server's health. */
  readonly outcomes: RequestOutcomes;
  readonly workers: StreamWorkerPicker;
  readonly sessions: LiveSessions;
  readonly limiter: UsageLimiter;
  readonly usage: UsageRecorder;
  readonly logger: Logger;
  readonly idleTimeoutMs: number;
  /** A stream this old gets its last final, then AUDIO_TOO_LONG and 1008. */
  readonly maxDurationMs: number;
  readonly maxBufferedBytes: number;
  /** The largest frame a client may send (bigger: an error, then 1009). */
  readonly maxFrameBytes: number;
  /** Where the latency of every transcription message is recorded. */
  readonly latency: StreamLatency;
}

/** Audio kept since the last final, to replay on another worker if this one dies (about 10 MB). */
const MAX_REPLAY_SECONDS = 300;

/** The contract's path and the cloud-compatible aliases, each on upgrade. */
const STREAM_PATHS = ['/v1/listen/stream', '/api/v1/lightning/get_text', '/waves/v1/pulse/get_text'];

declare module 'fastify' {
  interface FastifyRequest {
    stream?: { readonly query: StreamQuery; readonly model: string; readonly worker: WebSocket; readonly protocol: LiveProtocol };
  }
}

/** The contract's live routes: `/v1/listen/stream` and the cloud aliases. */
export async function registerStreamRoutes(scope: FastifyInstance, options: StreamRouteOptions): Promise<void> {
  await registerLiveSockets(scope, options);
  for (const path of STREAM_PATHS) registerLiveRoute(scope, path, options, nativeLiveDialect);
}

/** What every scope of live routes needs before its routes: the WebSocket layer and refusal counting. */
export async function registerLiveSockets(scope: FastifyInstance, options: StreamRouteOptions): Promise<void> {
  // Frames up to twice the limit are read, so the client is told why (FRAME_TOO_LARGE, then 1009);
  // a bigger one is cut off by the WebSocket layer unread (1009 alone): memory stays bounded.
  await scope.register(websocket, {
    // Text frames are commands, and one that is not UTF-8 is no command: INVALID_PARAMETER and the
    // stream goes on, like any other text that is not one (rather than the WebSocket layer's 1007).
    options: { maxPayload: 2 * options.maxFrameBytes, skipUTF8Validation: true },
    errorHandler: (error, socket, request) => {
      // A frame the WebSocket layer refused: it has already sent its close code (1009, 1002), so the
      // close is left to finish; destroying the socket would turn it into an abrupt 1006.
      request.log.warn({ reason: error.message }, 'WebSocket frame refused');
      if (socket.readyState !== socket.CLOSING) socket.terminate();
    },
  });
  countRefusedStreams(scope, options.outcomes);
}

/**
 * Live transcription over WebSocket at `path`, in `dialect`. Everything that can be refused is
 * refused before the upgrade, with an HTTP status and the scope's error body: auth, parameters,
 * the components, and a worker with a free live decoder (the worker's socket is open before the
 * client's is). The per-key concurrency limit is checked after it, and refused with 1008.
 */
export function registerLiveRoute(scope: FastifyInstance, path: string, options: StreamRouteOptions, dialect: LiveDialect): void {
  scope.get(
    path,
    { websocket: true, config: { tokenInQuery: true }, schema: dialect.schema, preValidation: (request, reply) => openWorker(request, reply, options, dialect) },
    (client, request) => runSession(client, request, options),
  );
}

async function openWorker(request: FastifyRequest, reply: FastifyReply, options: StreamRouteOptions, dialect: LiveDialect): Promise<void> {
  // A plain HTTP request (no WebSocket upgrade) opens nothing: RFC 9110's 426 says what it needs.
  if (!request.ws) {
    void reply.header('upgrade', 'websocket').header('connection', 'upgrade');
    throw new ApiError('UPGRADE_REQUIRED', `GET ${request.routeOptions.url} is the live WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket).`);
  }
  const { query, protocol } = dialect.parse(request.query);
  assertComponentsServing(options.monitor);
  const model = options.catalog.choose({ model: query.model, language: primaryLanguage(query.language) });
  const { worker } = await connectAnyWorker(options, query, model, 0, request.id, request.log);
  if (worker === undefined) throw new ApiError('SERVICE_UNAVAILABLE', 'No ASR worker can take a stream now.', { retry_after: 5 });
  // A client that hangs up before its upgrade completes gets no session to end the worker's
  // stream: tie the worker's socket to the client's, or the worker place stays taken.
  const clientSocket = request.raw.socket;
  if (clientSocket.destroyed) worker.close(CLOSE_CODES.normal);
  else clientSocket.once('close', () => worker.close(CLOSE_CODES.normal));
  const engine = options.catalog.models.find((served) => served.model === model)?.engine ?? 'unknown';
  request.stream = { query, model, worker, protocol: protocol({ sessionId: request.id, model, engine }) };
}

/**
 * The first worker, best first, that takes the stream with its times starting at `offsetSeconds`;
 * without one, whether a worker was up but full or draining (rather than none answering).
 */
async function connectAnyWorker(
  options: StreamRouteOptions,
  query: StreamQuery,
  model: string,
  offsetSeconds: number,
  requestId: string,
  log: Pick<Logger, 'warn'>,
): Promise<WorkerConnection> {
  const { interim_results, endpointing, eou_timeout_ms, vad_events } = query;
  let workersFull = false;
  for (const address of await options.workers.candidates(model).catch(() => [])) {
    try {
      return { worker: await connectWorkerStream(address, { interim_results, endpointing, eou_timeout_ms, vad_events, offset_s: offsetSeconds }, requestId), workersFull };
    } catch (error) {
      if (error instanceof WorkerRefusedStream) workersFull = true;
      log.warn({ worker: address, reason: error instanceof WorkerRefusedStream ? error.status : String(error) }, 'Worker refused a stream');
    }
  }
  return { workersFull };
}

async function runSession(client: WebSocket, request: FastifyRequest, options: StreamRouteOptions): Promise<void> {
  const { query, model, worker, protocol } = request.stream!;
  const license = request.license!;
  const log = options.logger.child({ request_id: request.id });
  const relay = new StreamRelay(
    client,
    worker,
    {
      query,
      protocol,
      idleTimeoutMs: options.idleTimeoutMs,
      maxDurationMs: options.maxDurationMs,
      maxBufferedBytes: options.maxBufferedBytes,
      maxFrameBytes: options.maxFrameBytes,
      maxReplaySeconds: MAX_REPLAY_SECONDS,
      reconnect: (offsetSeconds) => connectAnyWorker(options, query, model, offsetSeconds, request.id, log),
      latency: options.latency,
    },
    log,
  );
  // Tracked from the upgrade on, so a drain that starts while the limits are checked waits for it.
  options.sessions.add(relay);
  void relay.finished.then((end) => options.outcomes.recordStreamEnd(end));
  // Frames that arrive while the limits are checked would be dropped without a listener: hold them.
  const early: ClientFrame[] = [];
  const hold = (data: RawData, isBinary: boolean): void => void early.push({ data, isBinary });
  client.on('message', hold);
  let slot;
  try {
    slot = await options.limiter.admit(license, request.id);
  } catch (error) {
    relay.refuse(error instanceof ApiError ? error : new ApiError('SERVICE_UNAVAILABLE', 'Limits could not be checked.'));
    return;
  } finally {
    client.off('message', hold);
  }
  log.info({ encoding: query.encoding, sample_rate: query.sample_rate }, 'Stream started');
  relay.start(early);
  const { audioSeconds } = await relay.finished;
  log.info({ audio_seconds: audioSeconds }, 'Stream ended');
  await options.limiter.release(slot, audioSeconds, log);
  const usage = newRequestUsage('stream');
  usage.audioSeconds = audioSeconds;
  usage.features = ['streaming', ...(query.punctuate ? ['punctuation'] : []), ...(query.word_timestamps ? ['word_timestamps'] : [])];
  await options.usage.record(usageEvent(request.id, license.license_id, usage, 101));
}
