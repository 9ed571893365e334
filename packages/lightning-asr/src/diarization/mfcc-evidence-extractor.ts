import type { Piscina } from 'piscina';
import type { SpeakerEvidence } from '@stt/shared';
import { evidenceTaskPool } from './evidence-task-pool.js';
import type { MfccEvidenceTask } from './mfcc-evidence-task.js';
import type { SpeakerEvidenceExtractor } from './speaker-evidence-extractor.js';

/**
 * The default diarizer's worker side, needing no model beyond the bundled Silero VAD: each
 * segment's evidence is computed in a worker thread, as many at once as the engine decodes (with the
 * server's clustering, about 30 ms of CPU per audio second: `npm run bench:diarization`).
 */
export class MfccEvidenceExtractor implements SpeakerEvidenceExtractor {
  readonly name = 'mfcc-ward';
  private readonly pool: Piscina<MfccEvidenceTask, SpeakerEvidence>;

  constructor(
    private readonly vadModelPath: string,
    threads: number,
  ) {
    this.pool = evidenceTaskPool(import.meta.url, 'mfcc-evidence-task', threads);
  }

  extract(pcm: Int16Array, offsetSeconds: number): Promise<SpeakerEvidence> {
    return this.pool.run({ pcm, offsetSeconds, vadModelPath: this.vadModelPath });
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
