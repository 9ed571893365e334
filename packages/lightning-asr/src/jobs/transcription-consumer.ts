import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  ENGINE_SAMPLE_RATE,
  pcmFromBytes,
  queueConnectionOptions,
  transcriptionQueueName,
  transcriptionJobSchema,
  type Logger,
  type RedisKeys,
  type TranscriptionJobResult,
} from '@stt/shared';
import type { SpeakerEvidenceExtractor } from '../diarization/speaker-evidence-extractor.js';
import type { AsrEngine } from '../engine/asr-engine.js';
import type { AsrMetrics } from '../metrics.js';
import type { WorkerState } from '../worker-state.js';

export interface TranscriptionConsumerOptions {
  readonly redisUrl: string;
  /** A job whose worker stops renewing this lock (killed, hung) goes back to the queue for another. */
  readonly lockDurationMs: number;
}

/**
 * Pulls batch transcription segments from its model's queue, as many at once as the engine has
 * decoders, so load spreads by capacity. It only pulls while the worker is ready.
 */
export class TranscriptionConsumer {
  private readonly worker: Worker;

  constructor(
    private readonly engine: AsrEngine,
    private readonly speakerEvidence: SpeakerEvidenceExtractor,
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly state: WorkerState,
    private readonly metrics: AsrMetrics,
    private readonly logger: Logger,
    options: TranscriptionConsumerOptions,
  ) {
    this.worker = new Worker(transcriptionQueueName(engine.model), (job) => this.process(job), {
      connection: queueConnectionOptions(options.redisUrl),
      prefix: keys.queuePrefix,
      concurrency: engine.capacity,
      autorun: false,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.lockDurationMs,
      maxStalledCount: 2,
    });
    // BullMQ reports connection trouble as 'error' events; the health probes report Redis state.
    this.worker.on('error', (error) => logger.debug({ err: error.message }, 'Queue connection error'));
  }

  /** Starts pulling, or resumes after `pause` (BullMQ's resume runs a worker not yet running). */
  start(): void {
    void this.worker.resume();
  }

  /** Stops taking new segments (the self-test failed); segments in progress finish. */
  pause(): Promise<void> {
    return this.worker.pause(true);
  }

  /** Waits for the segments in progress, then disconnects. */
  async close(): Promise<void> {
    await this.worker.close();
    await this.speakerEvidence.close();
  }

  private async process(job: Job): Promise<TranscriptionJobResult> {
    const data = transcriptionJobSchema.parse(job.data);
    const log = this.logger.child({ request_id: data.request_id, job_id: job.id });
    if (await this.redis.exists(this.keys.cancelled(data.transcription_id))) throw new UnrecoverableError('request cancelled');
    const bytes = await this.redis.getBuffer(data.audio_key);
    if (bytes === null) throw new UnrecoverableError('segment audio is gone (request ended or expired)');
    const pcm = pcmFromBytes(bytes);
    const durationSeconds = pcm.length / ENGINE_SAMPLE_RATE;

    this.state.activeRequests++;
    log.info({ audio_seconds: durationSeconds, attempt: job.attemptsMade + 1 }, 'Segment started');
    const startedAt = performance.now();
    try {
      // Speaker evidence is gathered beside the decode, on threads of its own.
      const [transcript, speakerEvidence] = await Promise.all([
        this.engine.transcribe(pcm),
        data.diarize ? this.speakerEvidence.extract(pcm, data.offset_seconds) : undefined,
      ]);
      const decodeMs = performance.now() - startedAt;
      this.metrics.totalRequests.inc({ status: 'completed' });
      this.metrics.audioSeconds.inc(durationSeconds);
      this.metrics.requestDuration.observe(decodeMs / 1000);
      if (durationSeconds > 0) this.metrics.realTimeFactor.observe(decodeMs / 1000 / durationSeconds);
      log.info({ audio_seconds: durationSeconds, decode_ms: Math.round(decodeMs) }, 'Segment transcribed');
      return {
        words: transcript.words.map((word) => ({
          ...word,
          start: round(word.start + data.offset_seconds),
          end: round(word.end + data.offset_seconds),
        })),
        duration_seconds: durationSeconds,
        decode_ms: Math.round(decodeMs),
        worker_id: this.state.identity.id,
        engine: this.engine.name,
        model: this.engine.model,
        ...(speakerEvidence !== undefined ? { speaker_evidence: speakerEvidence } : {}),
      };
    } catch (error) {
      this.metrics.totalRequests.inc({ status: 'failed' });
      throw error;
    } finally {
      this.state.activeRequests--;
    }
  }
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;
