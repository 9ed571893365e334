import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  ApiError,
  pcmFromBytes,
  pcmToBytes,
  queueConnectionOptions,
  TRANSCRIPTION_QUEUE,
  transcriptionJobResultSchema,
  type RedisKeys,
  type TranscriptionJob,
  type TranscriptionJobResult,
} from '@stt/shared';
import { redisUnavailable } from '../errors/refusals.js';
import { SegmentOutcomes, type WatchOptions } from './segment-outcomes.js';

export interface TranscriptionQueueOptions {
  readonly redisUrl: string;
  /** Backstop expiry of stored segment audio and finished segment jobs, should clean-up never run. */
  readonly audioTtlSeconds: number;
  /** How often the state of every awaited segment is read back from Redis (events come at once). */
  readonly checkIntervalMs?: number;
}

/** Where one segment sits in its transcription. */
export interface SegmentRef {
  readonly transcriptionId: string;
  readonly requestId: string;
  readonly index: number;
  readonly offsetSeconds: number;
}

export interface SegmentResultOptions extends WatchOptions {
  /** Where the segment's PCM can be had again should Redis lose it; undefined once it is gone too. */
  readonly source: () => Promise<Int16Array | undefined>;
  /** The transcription ended: stop waiting, submit nothing more. */
  readonly signal: AbortSignal;
}

/** A segment lost with Redis is put back this often at most, then the transcription fails. */
const MAX_RESUBMISSIONS = 3;

/**
 * The API server's side of the shared BullMQ queue: stores a segment's PCM in Redis and enqueues
 * it for whichever worker pulls first; tells how each segment ended. Finished segment jobs are
 * kept until their transcription releases them, so a result can always be read back (by this
 * server, or by another one resuming a callback job).
 */
export class TranscriptionQueue {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly outcomes: SegmentOutcomes;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: TranscriptionQueueOptions,
  ) {
    // Our fail-fast client, not a connection of BullMQ's own that would wait through an outage:
    // work submitted while Redis is down must be refused at once, not hang.
    this.queue = new Queue(TRANSCRIPTION_QUEUE, { connection: redis, prefix: keys.queuePrefix });
    this.events = new QueueEvents(TRANSCRIPTION_QUEUE, { connection: queueConnectionOptions(options.redisUrl), prefix: keys.queuePrefix });
    // Connection trouble surfaces through the health probes; unhandled 'error' events would crash us.
    this.queue.on('error', () => undefined);
    this.events.on('error', () => undefined);
    this.outcomes = new SegmentOutcomes(this.queue, this.events, options.checkIntervalMs ?? 1000);
  }

  /** Segments waiting for a worker, across all API servers. */
  waiting(): Promise<number> {
    return this.redis.llen(this.queue.toKey('wait'));
  }

  /**
   * Stores and enqueues one segment; resolves once it is queued. Redis not answering is a 503
   * the client can retry.
   */
  async submit(segment: SegmentRef, pcm: Int16Array): Promise<void> {
    const audioKey = this.keys.audio(segment.transcriptionId, segment.index);
    const data: TranscriptionJob = {
      transcription_id: segment.transcriptionId,
      request_id: segment.requestId,
      audio_key: audioKey,
      offset_seconds: segment.offsetSeconds,
    };
    try {
      await this.redis.set(audioKey, pcmToBytes(pcm), 'EX', this.options.audioTtlSeconds);
      await this.queue.add('segment', data, {
        jobId: segmentJobId(segment.transcriptionId, segment.index),
        attempts: 2,
        backoff: { type: 'fixed', delay: 500 },
        // Released by the transcription when it ends; the ages are only a backstop.
        removeOnComplete: { age: this.options.audioTtlSeconds },
        removeOnFail: { age: this.options.audioTtlSeconds },
      });
    } catch (error) {
      throw error instanceof ApiError ? error : redisUnavailable();
    }
  }

  /**
   * The result of a submitted segment. A segment Redis lost (it restarted without its data) is
   * submitted again from `source`; a failed segment rejects with the worker's reason, Redis not
   * answering past `unreachableAfterMs` with a 503, audio that is gone for good with a 500 that
   * says so.
   */
  async result(segment: SegmentRef, options: SegmentResultOptions): Promise<TranscriptionJobResult> {
    for (let resubmissions = 0; ; resubmissions++) {
      const outcome = await this.outcomes.watch(segmentJobId(segment.transcriptionId, segment.index), options);
      switch (outcome.kind) {
        case 'completed':
          return transcriptionJobResultSchema.parse(outcome.value);
        case 'failed':
          throw new Error(`segment ${segment.index} failed: ${outcome.reason}`);
        case 'unreachable':
          throw redisUnavailable();
        case 'lost': {
          const pcm = resubmissions < MAX_RESUBMISSIONS ? await options.source() : undefined;
          if (pcm === undefined) throw audioLost();
          options.signal.throwIfAborted();
          await this.submit(segment, pcm);
        }
      }
    }
  }

  /** The PCM stored for segment `index` of transcription `id`, or undefined once it is gone. */
  async storedAudio(id: string, index: number): Promise<Int16Array | undefined> {
    const bytes = await this.redis.getBuffer(this.keys.audio(id, index)).catch(() => {
      throw redisUnavailable();
    });
    return bytes === null ? undefined : pcmFromBytes(bytes);
  }

  /** Marks transcription `id` cancelled and takes its segments not yet started off the queue. */
  async cancel(id: string, segments: number): Promise<void> {
    await this.redis.set(this.keys.cancelled(id), '1', 'EX', this.options.audioTtlSeconds);
    await Promise.all(Array.from({ length: segments }, (_, index) => this.queue.remove(segmentJobId(id, index)).catch(() => 0)));
  }

  /**
   * Deletes everything stored for transcription `id`: its audio and its segment jobs. A segment a
   * worker is still decoding (the request was cancelled) cannot be removed yet; its finished job
   * goes with the backstop age.
   */
  async release(id: string, segments: number): Promise<void> {
    if (segments === 0) return;
    const indexes = Array.from({ length: segments }, (_, index) => index);
    await this.redis.del(...indexes.map((index) => this.keys.audio(id, index)));
    await Promise.all(indexes.map((index) => this.queue.remove(segmentJobId(id, index)).catch(() => 0)));
  }

  async close(): Promise<void> {
    this.outcomes.close();
    await Promise.all([this.queue.close(), this.events.close()]);
  }
}

const segmentJobId = (id: string, index: number): string => `${id}-${index}`;

const audioLost = (): ApiError =>
  new ApiError('INTERNAL_ERROR', 'The audio of this transcription was lost with the queue (Redis restarted without its data); send it again.');
