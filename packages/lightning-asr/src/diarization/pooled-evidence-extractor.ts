import { Piscina } from 'piscina';
import { siblingModulePath, type SpeakerEvidence } from '@stt/shared';
import type { SpeakerEvidenceExtractor } from './speaker-evidence-extractor.js';

/** What every evidence task is given: one segment's PCM and where it starts in the request's audio. */
export interface SegmentTask {
  readonly pcm: Int16Array;
  readonly offsetSeconds: number;
}

/** A thread idle this long ends, and what it loaded (a model, a VAD) is let go. */
const IDLE_TIMEOUT_MS = 60_000;

/**
 * A diarizer's worker side: each segment's evidence is computed by the task module `taskModule`
 * (beside this file; its default export takes the segment and `options`) in worker threads,
 * `threads` at most, as many at once as the engine decodes. Diarizers are synchronous native or
 * numeric code, kept off the event loop.
 */
export class PooledEvidenceExtractor<Options extends object> implements SpeakerEvidenceExtractor {
  private readonly pool: Piscina<SegmentTask & Options, SpeakerEvidence>;

  constructor(
    readonly name: string,
    taskModule: string,
    private readonly options: Options,
    threads: number,
  ) {
    this.pool = new Piscina({ filename: siblingModulePath(import.meta.url, taskModule), minThreads: 0, maxThreads: threads, idleTimeout: IDLE_TIMEOUT_MS });
  }

  extract(pcm: Int16Array, offsetSeconds: number): Promise<SpeakerEvidence> {
    return this.pool.run({ ...this.options, pcm, offsetSeconds });
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
