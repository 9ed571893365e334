import type { FastifyInstance } from 'fastify';
import type { UsageEvent } from '@stt/shared';
import type { ListenOptions } from '../transcription/listen-options.js';
import type { UsageRecorder } from './usage-recorder.js';

/** What a work request used, filled in by its handler as it learns it. */
export interface RequestUsage {
  kind: UsageEvent['kind'];
  audioSeconds: number;
  features: string[];
  /** The event is recorded later, by whoever finishes the work (a callback job). */
  deferred: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    usage?: RequestUsage;
  }
}

export function newRequestUsage(kind: UsageEvent['kind']): RequestUsage {
  return { kind, audioSeconds: 0, features: [], deferred: false };
}

/** The billable options a request asked for, by the names usage reports use. */
export function listenFeatures(options: ListenOptions): string[] {
  return [
    ...(options.punctuate ? ['punctuation'] : []),
    ...(options.timestamps ? ['word_timestamps'] : []),
    ...(options.diarize ? ['diarization'] : []),
    ...(options.callback_url !== undefined ? ['callback'] : []),
  ];
}

export function usageEvent(requestId: string, licenseId: string, usage: RequestUsage, status: number): UsageEvent {
  return {
    request_id: requestId,
    license_id: licenseId,
    kind: usage.kind,
    audio_seconds: usage.audioSeconds,
    features: usage.features,
    status,
    at: new Date().toISOString(),
  };
}

/**
 * Records one usage event per work request of `scope` as its answer is about to be sent, errors
 * included, unless the handler deferred it. Awaited before the answer: an answered request
 * always has its event.
 */
export function registerUsageRecording(scope: FastifyInstance, recorder: UsageRecorder): void {
  scope.addHook('onSend', async (request, reply, payload) => {
    const { usage, license } = request;
    if (usage !== undefined && license !== undefined && !usage.deferred) {
      await recorder.record(usageEvent(request.id, license.license_id, usage, reply.statusCode));
    }
    return payload;
  });
}
