import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  queueConnectionOptions,
  pcmToBytes,
  TRANSCRIPTION_QUEUE,
  transcriptionJobResultSchema,
  type RedisKeys,
  type TranscriptionJob,
  type TranscriptionJobResult,
} from '@stt/shared';
import type { PcmSegment } from './pcm-segmenter.js';

export interface TranscriptionQueueOptions {
  readonly redisUrl: string;
  /** Backstop expiry of stored segment audio, should a request's own clean-up never run. */
  readonly audioTtlSeconds: number;
}

/**
 * The API server's side of the shared BullMQ queue: stores a segment's PCM in Redis, enqueues
 * it for whichever worker pulls first, and hands back a promise of its result.
 */
export class TranscriptionQueue {
  private readonly queue: Queue;
  private readonly events: QueueEvents;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: TranscriptionQueueOptions,
  ) {
    this.queue = new Queue(TRANSCRIPTION_QUEUE, { connection: queueConnectionOptions(options.redisUrl), prefix: keys.queuePrefix });
    this.events = new QueueEvents(TRANSCRIPTION_QUEUE, { connection: queueConnectionOptions(options.redisUrl), prefix: keys.queuePrefix });
    // Connection trouble surfaces through the health probes; unhandled 'error' events would crash us.
    this.queue.on('error', () => undefined);
    this.events.on('error', () => undefined);
  }

  /**
   * Segments waiting for a worker, across all API servers. Read through our fail-fast client (not
   * BullMQ's, which waits through outages) so admission and health never hang on a dead Redis.
   */
  waiting(): Promise<number> {
    return this.redis.llen(this.queue.toKey('wait'));
  }

  /** Stores and enqueues segment `index` of transcription `id`; resolves once it is queued, with its result to come. */
  async submit(id: string, requestId: string, index: number, segment: PcmSegment): Promise<{ result: Promise<TranscriptionJobResult> }> {
    const audioKey = this.keys.audio(id, index);
    await this.redis.set(audioKey, pcmToBytes(segment.pcm), 'EX', this.options.audioTtlSeconds);
    const data: TranscriptionJob = { transcription_id: id, request_id: requestId, audio_key: audioKey, offset_seconds: segment.offsetSeconds };
    const job = await this.queue.add('segment', data, {
      jobId: segmentJobId(id, index),
      attempts: 2,
      backoff: { type: 'fixed', delay: 500 },
      // Results are read from the completion event; keep nothing of the request in the queue.
      removeOnComplete: true,
      removeOnFail: true,
    });
    const result = job.waitUntilFinished(this.events).then((value: unknown) => transcriptionJobResultSchema.parse(value));
    result.catch(() => undefined); // observed by the caller; never an unhandled rejection meanwhile
    return { result };
  }

  /** Marks transcription `id` cancelled and takes its segments not yet started off the queue. */
  async cancel(id: string, segments: number): Promise<void> {
    await this.redis.set(this.keys.cancelled(id), '1', 'EX', this.options.audioTtlSeconds);
    await Promise.all(
      Array.from({ length: segments }, (_, index) => this.queue.remove(segmentJobId(id, index)).catch(() => 0)),
    );
  }

  /** Deletes the stored audio of transcription `id`: nothing of a request outlives it. */
  async release(id: string, segments: number): Promise<void> {
    if (segments === 0) return;
    await this.redis.del(...Array.from({ length: segments }, (_, index) => this.keys.audio(id, index)));
  }

  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.events.close()]);
  }
}

const segmentJobId = (id: string, index: number): string => `${id}-${index}`;
