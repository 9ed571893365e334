import type { WorkerInfo } from '@stt/shared';
import type { AsrEngine } from './engine/asr-engine.js';
import type { SelfTest } from './self-test.js';

export type WorkerStatus = 'loading' | 'ready' | 'unhealthy' | 'draining';

/** What the worker's metrics read from a live stream. */
export interface LiveStreamLoad {
  /** Utterances ended whose final is not out yet. */
  readonly finalsPending: number;
}

export interface WorkerIdentity {
  readonly id: string;
  readonly address: string;
  readonly startedAt: Date;
  /** The configured engine, named in the registry before (or without) a loaded one. */
  readonly engine: string;
}

/**
 * Everything the worker reports about itself, in one place: `/health`, the Redis registry entry
 * and the metrics all read from here, so they never disagree.
 */
export class WorkerState {
  activeRequests = 0;
  activeStreams = 0;
  /** The live streams being served, from their upgrade to their end. */
  readonly liveStreams = new Set<LiveStreamLoad>();
  private attached: AsrEngine | undefined;
  private selfTest: SelfTest | undefined;
  private draining = false;
  /** Why the engine could not be had (its model failed to download, check or load); final until a restart. */
  private failure: string | undefined;

  constructor(readonly identity: WorkerIdentity) {}

  attach(engine: AsrEngine, selfTest: SelfTest): void {
    this.attached = engine;
    this.selfTest = selfTest;
  }

  /** The model could not be made ready: the worker stays up, unhealthy with this reason, and takes no work. */
  fail(reason: string): void {
    this.failure = reason;
  }

  startDraining(): void {
    this.draining = true;
  }

  get status(): WorkerStatus {
    if (this.draining) return 'draining';
    if (this.failure !== undefined) return 'unhealthy';
    const result = this.selfTest?.result;
    if (!this.attached || !result) return 'loading';
    return result.passed ? 'ready' : 'unhealthy';
  }

  /** Why the worker cannot take work, or undefined when it can. */
  get reason(): string | undefined {
    switch (this.status) {
      case 'loading':
        return 'Model is loading';
      case 'draining':
        return 'Server is shutting down';
      case 'unhealthy':
        return this.failure ?? this.selfTest?.result?.reason ?? 'Self-test failed';
      case 'ready':
        return undefined;
    }
  }

  /** Utterances of live streams waiting for their final: the second pass queued for a decoder, or running. */
  get streamFinalsPending(): number {
    let pending = 0;
    for (const stream of this.liveStreams) pending += stream.finalsPending;
    return pending;
  }

  /** The engine once its model is loaded. */
  get engine(): AsrEngine | undefined {
    return this.attached;
  }

  get engineName(): string | undefined {
    return this.attached?.name;
  }

  get model(): string | undefined {
    return this.attached?.model;
  }

  get capacity(): number {
    return this.attached?.capacity ?? 0;
  }

  get streamCapacity(): number {
    return this.attached?.streamCapacity ?? 0;
  }

  /** The registry entry: engine and capabilities are placeholders until the engine is attached. */
  toWorkerInfo(now: Date = new Date()): WorkerInfo {
    const status = this.status;
    const reason = this.reason;
    const capabilities = this.attached?.capabilities;
    return {
      id: this.identity.id,
      address: this.identity.address,
      pid: process.pid,
      engine: this.engineName ?? this.identity.engine,
      model: this.model ?? 'unknown',
      languages: [...(capabilities?.languages ?? [])],
      streaming: capabilities?.streaming ?? 'vad-chunked',
      word_timestamps: capabilities?.wordTimestamps ?? false,
      gpu: this.attached?.gpu ?? null,
      capacity: this.capacity,
      stream_capacity: this.streamCapacity,
      active_requests: this.activeRequests,
      active_streams: this.activeStreams,
      status: status === 'loading' ? 'unhealthy' : status,
      ...(reason !== undefined ? { reason } : {}),
      self_test_at: this.selfTest?.result?.at.toISOString() ?? null,
      heartbeat_at: now.toISOString(),
      started_at: this.identity.startedAt.toISOString(),
    };
  }
}
