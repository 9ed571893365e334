import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  ApiError,
  pcmFromBytes,
  pcmToBytes,
  queueConnectionOptions,
  transcriptionQueueName,
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
  /** The model whose workers decode it: its queue. */
  readonly model: string;
  readonly transcriptionId: string;
  readonly requestId: string;
  readonly index: number;
  readonly offsetSeconds: number;
  /** The worker also gathers speaker evidence. */
  readonly diarize: boolean;
}

export interface SegmentResultOptions extends WatchOptions {
  /** Where the segment's PCM can be had again should Redis lose it; undefined once it is gone too. */
  readonly source: () => Promise<Int16Array | undefined>;
  /** The transcription ended: stop waiting, submit nothing more. */
  readonly signal: AbortSignal;
}

/** A segment lost with Redis is put back this often at most, then the transcription fails. */
const MAX_RESUBMISSIONS = 3;

/** What watches one model's segment jobs end: an events connection of its own, and the periodic check. */
interface OutcomeWatch {
  readonly events: QueueEvents;
  readonly outcomes: SegmentOutcomes;
}

/**
 * The API server's side of the shared BullMQ queues, one per model: stores a segment's PCM in
 * Redis and enqueues it for whichever worker of its model pulls first; tells how each segment
 * ended. Finished segment jobs are kept until their transcription releases them, so a result can
 * always be read back (by this server, or by another one resuming a callback job).
 */
export class TranscriptionQueue {
  private readonly queues = new Map<string, Queue>();
  /** Opened only for models this server awaits results of (reading a queue's depth needs none). */
  private readonly watches = new Map<string, OutcomeWatch>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: TranscriptionQueueOptions,
  ) {}

  /**
   * Segments waiting for a worker, in every model's queue, across all API servers: also those of a
   * model no worker serves now (the autoscaler's signal to start one).
   */
  async waiting(): Promise<number> {
    const models = await this.redis.smembers(this.keys.queuedModels);
    const lengths = await Promise.all(models.map((model) => this.redis.llen(this.queue(model).toKey('wait'))));
    return lengths.reduce((sum, length) => sum + length, 0);
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
      diarize: segment.diarize,
    };
    try {
      await this.redis.set(audioKey, pcmToBytes(pcm), 'EX', this.options.audioTtlSeconds);
      await this.redis.sadd(this.keys.queuedModels, segment.model);
      await this.queue(segment.model).add('segment', data, {
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
      const outcome = await this.outcomesOf(segment.model).watch(segmentJobId(segment.transcriptionId, segment.index), options);
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

  /** Marks transcription `id` cancelled and takes its segments not yet started off `model`'s queue. */
  async cancel(model: string, id: string, segments: number): Promise<void> {
    await this.redis.set(this.keys.cancelled(id), '1', 'EX', this.options.audioTtlSeconds);
    const queue = this.queue(model);
    await Promise.all(Array.from({ length: segments }, (_, index) => queue.remove(segmentJobId(id, index)).catch(() => 0)));
  }

  /**
   * Deletes everything stored for transcription `id`: its audio and its segment jobs. A segment a
   * worker is still decoding (the request was cancelled) cannot be removed yet; its finished job
   * goes with the backstop age.
   */
  async release(model: string, id: string, segments: number): Promise<void> {
    if (segments === 0) return;
    const indexes = Array.from({ length: segments }, (_, index) => index);
    await this.redis.del(...indexes.map((index) => this.keys.audio(id, index)));
    const queue = this.queue(model);
    await Promise.all(indexes.map((index) => queue.remove(segmentJobId(id, index)).catch(() => 0)));
  }

  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    const watches = [...this.watches.values()];
    this.queues.clear();
    this.watches.clear();
    for (const { outcomes } of watches) outcomes.close();
    await Promise.all([...queues.map((queue) => queue.close()), ...watches.map(({ events }) => events.close())]);
  }

  /** `model`'s queue, opened on first use. */
  private queue(model: string): Queue {
    let queue = this.queues.get(model);
    if (queue === undefined) {
      // Our fail-fast client, not a connection of BullMQ's own that would wait through an outage:
      // work submitted while Redis is down must be refused at once, not hang.
      queue = new Queue(transcriptionQueueName(model), { connection: this.redis, prefix: this.keys.queuePrefix });
      // Connection trouble surfaces through the health probes; unhandled 'error' events would crash us.
      queue.on('error', () => undefined);
      this.queues.set(model, queue);
    }
    return queue;
  }

  /** How `model`'s segment jobs end, watched from the first result awaited. */
  private outcomesOf(model: string): SegmentOutcomes {
    let watch = this.watches.get(model);
    if (watch === undefined) {
      const events = new QueueEvents(transcriptionQueueName(model), { connection: queueConnectionOptions(this.options.redisUrl), prefix: this.keys.queuePrefix });
      events.on('error', () => undefined);
      watch = { events, outcomes: new SegmentOutcomes(this.queue(model), events, this.options.checkIntervalMs ?? 1000) };
      this.watches.set(model, watch);
    }
    return watch.outcomes;
  }
}

const segmentJobId = (id: string, index: number): string => `${id}-${index}`;

const audioLost = (): ApiError =>
  new ApiError('INTERNAL_ERROR', 'The audio of this transcription was lost with the queue (Redis restarted without its data); send it again.');
