import { ApiError, ENGINE_SAMPLE_RATE, type Logger, type TranscriptionJobResult } from '@stt/shared';
import { ClientGoneError } from '../errors/client-gone-error.js';
import { PcmSegmenter, type PcmSegment } from './pcm-segmenter.js';
import { joinSegments, type BatchTranscript } from './batch-transcript.js';
import type { SegmentRef, TranscriptionQueue } from './transcription-queue.js';

export interface BatchTranscriberOptions {
  readonly maxSegmentSeconds: number;
  readonly minSegmentSeconds: number;
  /** Segments of one request queued or decoding at once; reading the input waits beyond it. */
  readonly maxSegmentsInFlight: number;
  /**
   * A synchronous request whose Redis does not answer this long is given up with a 503; if Redis
   * is back sooner, the segments it lost are submitted again from memory.
   */
  readonly redisOutageMs: number;
}

/** Where a transcription's segments go: its model's queue, and whether workers gather speaker evidence. */
export interface SegmentRouting {
  readonly model: string;
  readonly diarize: boolean;
}

/** The whole input read and queued: what a callback job needs to take the segments over. */
export interface IngestedAudio {
  readonly model: string;
  readonly segments: readonly SegmentRef[];
  readonly durationSeconds: number;
}

/** One transcription under way: its input is being read and its segments decoded. */
export interface TranscriptionRun {
  /** Resolves once the whole input was read and every segment queued. */
  readonly ingested: Promise<IngestedAudio>;
  /** Resolves with the transcript, or rejects with the error the client should see. */
  readonly result: Promise<BatchTranscript>;
  /** Stops the run: segments not started are dropped, the result rejects with `reason`. */
  cancel(reason: ApiError | Error): void;
  /**
   * Leaves the queued segments to someone else (a callback job): from now on the run neither
   * cancels nor deletes them, and `result` is not to be awaited.
   */
  handOver(): void;
}

/**
 * Turns decoded PCM into a transcript through the shared queue: the audio is cut at silences
 * into segments that workers decode in parallel, then joined in order. Each segment's PCM stays
 * in memory until its result is in, so a Redis that lost it can be given it again. Everything
 * stored for the run is deleted when it ends, whatever the outcome, unless it was handed over.
 */
export class BatchTranscriber {
  constructor(
    private readonly queue: TranscriptionQueue,
    private readonly options: BatchTranscriberOptions,
    private readonly logger: Logger,
  ) {}

  /** Transcribes `pcm` on `routing.model`'s workers. */
  start(id: string, requestId: string, routing: SegmentRouting, pcm: AsyncIterable<Int16Array>): TranscriptionRun {
    const { model } = routing;
    const controller = new AbortController();
    let handedOver = false;
    const refs: SegmentRef[] = [];
    const results: Promise<TranscriptionJobResult>[] = [];
    const segmenter = new PcmSegmenter({
      sampleRate: ENGINE_SAMPLE_RATE,
      maxSegmentSeconds: this.options.maxSegmentSeconds,
      minSegmentSeconds: this.options.minSegmentSeconds,
    });
    const aborted = new Promise<never>((_resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
    });
    aborted.catch(() => undefined);

    const ingested = (async (): Promise<IngestedAudio> => {
      const inFlight = new Set<Promise<unknown>>();
      const submit = async (segment: PcmSegment): Promise<void> => {
        while (inFlight.size >= this.options.maxSegmentsInFlight) await Promise.race([...inFlight, aborted]);
        controller.signal.throwIfAborted();
        const ref: SegmentRef = { ...routing, transcriptionId: id, requestId, index: refs.length, offsetSeconds: segment.offsetSeconds };
        refs.push(ref);
        await this.queue.submit(ref, segment.pcm);
        const result = this.queue.result(ref, {
          source: async () => segment.pcm,
          signal: controller.signal,
          unreachableAfterMs: this.options.redisOutageMs,
        });
        result.catch(() => undefined); // observed below; never an unhandled rejection meanwhile
        results.push(result);
        const settled = result.then(() => undefined, () => undefined).finally(() => inFlight.delete(settled));
        inFlight.add(settled);
      };
      for await (const chunk of pcm) {
        controller.signal.throwIfAborted();
        for (const segment of segmenter.push(chunk)) await submit(segment);
      }
      for (const segment of segmenter.end()) await submit(segment);
      if (refs.length === 0) throw new ApiError('INVALID_AUDIO', 'The audio holds no samples.');
      return { model, segments: refs, durationSeconds: segmenter.durationSeconds };
    })();

    const result = (async (): Promise<BatchTranscript> => {
      try {
        await Promise.race([ingested, aborted]);
        const decoded = await Promise.race([Promise.all(results), aborted]);
        return joinSegments(decoded, segmenter.durationSeconds);
      } catch (error) {
        // Handed over, the run only stops watching: the work goes on elsewhere, and nothing failed.
        if (handedOver) throw error;
        if (!controller.signal.aborted) controller.abort(error);
        await this.queue.cancel(model, id, refs.length).catch(() => undefined);
        throw toClientError(error, requestId, this.logger);
      } finally {
        if (!handedOver) {
          await this.queue.release(model, id, refs.length).catch((error: unknown) => {
            this.logger.error({ err: error, request_id: requestId }, 'Could not delete stored audio; it expires on its own');
          });
        }
      }
    })();
    result.catch(() => undefined);

    return {
      ingested: Promise.race([ingested, aborted]),
      result,
      cancel: (reason) => {
        if (!handedOver) controller.abort(reason);
      },
      handOver: () => {
        handedOver = true;
        controller.abort(new Error('handed over'));
      },
    };
  }
}

/**
 * Our own errors pass through; a failed segment or Redis trouble becomes a 500 the log explains.
 * A client that hung up is no failure of ours: nobody reads its answer, and the log only notes it.
 */
export function toClientError(error: unknown, requestId: string, logger: Logger): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ClientGoneError) {
    logger.info({ request_id: requestId }, 'Transcription cancelled: the client disconnected');
    return new ApiError('INTERNAL_ERROR', 'Transcription cancelled.');
  }
  logger.error({ err: error, request_id: requestId }, 'Transcription failed');
  return new ApiError('INTERNAL_ERROR', 'Transcription failed.');
}
