import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData } from 'ws';
import {
  ApiError,
  CLOSE_CODES,
  frameBytes,
  Int16Assembler,
  parseJsonAs,
  streamCommandSchema,
  workerStreamQuerySchema,
  type Logger,
  type StreamCommand,
  type WorkerStreamEvent,
  type WorkerStreamQuery,
  WORKER_STREAM_PATH,
} from '@stt/shared';
import type { LiveDecoder } from '../engine/asr-engine.js';
import type { WorkerState } from '../worker-state.js';
import { LiveTranscription } from './live-transcription.js';

/** Audio a sender may queue ahead of decoding: 30 s at 16 kHz. Beyond it the stream is ended (1008). */
const MAX_PENDING_SAMPLES = 30 * 16_000;
/** The largest frame accepted: 10 s of 16 kHz audio. */
const MAX_FRAME_BYTES = 320_000;

declare module 'fastify' {
  interface FastifyRequest {
    liveSession?: { readonly decoder: LiveDecoder; readonly options: WorkerStreamQuery };
  }
}

/**
 * `GET /api/v1/lightning/get_text` on upgrade: 16 kHz linear16 audio in binary frames, and
 * `finalize` / `close_stream` / `keepalive` text frames; out go the worker's stream events.
 * Refused before the upgrade (503) when the worker is not ready, is draining or has all its live
 * places taken, so the API server can try another worker.
 */
export async function registerStreamRoute(app: FastifyInstance, state: WorkerState, logger: Logger): Promise<void> {
  await app.register(websocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  app.get(WORKER_STREAM_PATH, { websocket: true, preValidation: (request) => openSession(request, state) }, (socket, request) => {
    const { decoder, options } = request.liveSession!;
    const engine = state.engine!;
    const log = logger.child({ request_id: request.id });
    state.activeStreams++;
    log.info('Stream started');
    const send = (event: WorkerStreamEvent): void => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    };
    const session = new LiveTranscription(decoder, (pcm) => engine.transcribe(pcm), options, send);
    state.liveStreams.add(session);
    // A frame may end in the middle of a sample; the assembler carries the odd byte over.
    const samples = new Int16Assembler();
    let ended = false;
    const end = (code: number, event?: WorkerStreamEvent): void => {
      if (event !== undefined) send(event);
      ended = true;
      socket.close(code);
    };
    const fail = (error: unknown): void => {
      log.error({ err: error }, 'Stream failed');
      end(CLOSE_CODES.internalError, { type: 'error', code: 'INTERNAL_ERROR', message: 'The stream could not be transcribed.' });
    };

    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (ended) return;
      if (isBinary) {
        if (session.pendingSamples > MAX_PENDING_SAMPLES) {
          end(CLOSE_CODES.policy, { type: 'error', code: 'BUFFER_OVERFLOW', message: 'Audio arrives faster than it can be decoded.' });
          return;
        }
        session.push(samples.push(frameBytes(data))).catch(fail);
        return;
      }
      const command: StreamCommand | undefined = parseJsonAs(streamCommandSchema, frameBytes(data).toString('utf8'));
      if (command === undefined) {
        send({ type: 'error', code: 'INVALID_PARAMETER', message: 'Text frames must be {"type":"finalize"|"close_stream"|"keepalive"}.' });
      } else if (command.type === 'finalize') {
        session.finalize().catch(fail);
      } else if (command.type === 'close_stream') {
        ended = true;
        session.close().then(() => socket.close(CLOSE_CODES.normal), fail);
      }
    });
    socket.on('close', () => {
      // Gives the decoder back however the stream ended (a no-op after close_stream's own release);
      // the stream counts as active, and has not ended, until its place is free.
      session
        .abort()
        .catch((error: unknown) => log.error({ err: error }, 'Could not release the live decoder'))
        .finally(() => {
          state.liveStreams.delete(session);
          state.activeStreams--;
          log.info('Stream ended');
        });
    });
  });
}

/** Before the upgrade: the worker must be ready, the options valid and a live session's place free. */
async function openSession(request: FastifyRequest, state: WorkerState): Promise<void> {
  const engine = state.engine;
  if (state.status !== 'ready' || engine === undefined) {
    throw new ApiError('SERVICE_UNAVAILABLE', state.reason ?? 'Not ready', { retry_after: 5 });
  }
  const parsed = workerStreamQuerySchema.safeParse(request.query);
  if (!parsed.success) {
    const parameter = String(parsed.error.issues[0]?.path[0] ?? 'query');
    throw new ApiError('INVALID_PARAMETER', `The value of ${parameter} is not valid.`, { parameter });
  }
  const decoder = engine.openLiveDecoder();
  if (decoder === undefined) throw new ApiError('SERVICE_UNAVAILABLE', 'No stream capacity left on this worker.', { retry_after: 1 });
  request.liveSession = { decoder, options: parsed.data };
}
