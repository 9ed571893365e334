import { ApiError, JOB_SAMPLE_RATE, type Logger, type RecognizedWord, type TranscriptionJobResult } from '@stt/shared';
import { PcmSegmenter } from './pcm-segmenter.js';
import type { TranscriptionQueue } from './transcription-queue.js';

export interface BatchTranscriberOptions {
  readonly maxSegmentSeconds: number;
  readonly minSegmentSeconds: number;
  /** Segments of one request queued or decoding at once; reading the input waits beyond it. */
  readonly maxSegmentsInFlight: number;
}

/** The joined result of all segments of one transcription. */
export interface BatchTranscript {
  readonly words: readonly RecognizedWord[];
  readonly durationSeconds: number;
  readonly engine: string;
  readonly model: string;
  readonly segments: number;
}

/** One transcription under way: its input is being read and its segments decoded. */
export interface TranscriptionRun {
  /** Resolves once the whole input was read and every segment queued. */
  readonly ingested: Promise<void>;
  /** Resolves with the transcript, or rejects with the error the client should see. */
  readonly result: Promise<BatchTranscript>;
  /** Stops the run: segments not started are dropped, the result rejects with `reason`. */
  cancel(reason: ApiError | Error): void;
}

/**
 * Turns decoded PCM into a transcript through the shared queue: the audio is cut at silences
 * into segments that workers decode in parallel, then joined in order. Everything stored for the
 * run is deleted when it ends, whatever the outcome.
 */
export class BatchTranscriber {
  constructor(
    private readonly queue: TranscriptionQueue,
    private readonly options: BatchTranscriberOptions,
    private readonly logger: Logger,
  ) {}

  start(id: string, requestId: string, pcm: AsyncIterable<Int16Array>): TranscriptionRun {
    const controller = new AbortController();
    const segments: Promise<TranscriptionJobResult>[] = [];
    const segmenter = new PcmSegmenter({
      sampleRate: JOB_SAMPLE_RATE,
      maxSegmentSeconds: this.options.maxSegmentSeconds,
      minSegmentSeconds: this.options.minSegmentSeconds,
    });
    const aborted = new Promise<never>((_resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
    });
    aborted.catch(() => undefined);

    const ingested = (async () => {
      const inFlight = new Set<Promise<unknown>>();
      const submit = async (segment: ReturnType<PcmSegmenter['end']>[number]): Promise<void> => {
        while (inFlight.size >= this.options.maxSegmentsInFlight) await Promise.race([...inFlight, aborted]);
        controller.signal.throwIfAborted();
        const { result } = await this.queue.submit(id, requestId, segments.length, segment);
        segments.push(result);
        const settled = result.then(() => undefined, () => undefined).finally(() => inFlight.delete(settled));
        inFlight.add(settled);
      };
      for await (const chunk of pcm) {
        controller.signal.throwIfAborted();
        for (const segment of segmenter.push(chunk)) await submit(segment);
      }
      for (const segment of segmenter.end()) await submit(segment);
      if (segments.length === 0) throw new ApiError('INVALID_AUDIO', 'The audio holds no samples.');
    })();

    const result = (async (): Promise<BatchTranscript> => {
      try {
        await Promise.race([ingested, aborted]);
        const results = await Promise.race([Promise.all(segments), aborted]);
        return join(results, segmenter.durationSeconds);
      } catch (error) {
        if (!controller.signal.aborted) controller.abort(error);
        await this.queue.cancel(id, segments.length).catch(() => undefined);
        throw toClientError(error, requestId, this.logger);
      } finally {
        await this.queue.release(id, segments.length).catch((error: unknown) => {
          this.logger.error({ err: error, request_id: requestId }, 'Could not delete stored audio; it expires on its own');
        });
      }
    })();
    result.catch(() => undefined);

    return {
      ingested: Promise.race([ingested, aborted]),
      result,
      cancel: (reason) => controller.abort(reason),
    };
  }
}

function join(results: readonly TranscriptionJobResult[], durationSeconds: number): BatchTranscript {
  return {
    words: results.flatMap((segment) => segment.words),
    durationSeconds,
    engine: results[0]?.engine ?? 'unknown',
    model: results[0]?.model ?? 'unknown',
    segments: results.length,
  };
}

/** Our own errors pass through; a failed segment or Redis trouble becomes a 500 the log explains. */
function toClientError(error: unknown, requestId: string, logger: Logger): Error {
  if (error instanceof ApiError) return error;
  logger.error({ err: error, request_id: requestId }, 'Transcription failed');
  return new ApiError('INTERNAL_ERROR', 'Transcription failed.');
}
