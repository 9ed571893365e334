import { Piscina } from 'piscina';
import type { SpeakerEvidence } from '@stt/shared';
import type { MfccEvidenceTask } from './mfcc-evidence-task.js';
import type { SpeakerEvidenceExtractor } from './speaker-evidence-extractor.js';

/**
 * The default diarizer's worker side, needing no model beyond the bundled Silero VAD: each
 * segment's evidence is computed in a worker thread (about 15 ms of CPU per audio second, most of
 * it Meyda's MFCCs), as many at once as the engine decodes.
 */
export class MfccEvidenceExtractor implements SpeakerEvidenceExtractor {
  readonly name = 'mfcc-bic';
  private readonly pool: Piscina<MfccEvidenceTask, SpeakerEvidence>;

  constructor(
    private readonly vadModelPath: string,
    threads: number,
  ) {
    this.pool = new Piscina({ filename: new URL('./mfcc-evidence-task.js', import.meta.url).href, minThreads: 0, maxThreads: threads, idleTimeout: 60_000 });
  }

  extract(pcm: Int16Array, offsetSeconds: number): Promise<SpeakerEvidence> {
    return this.pool.run({ pcm, offsetSeconds, vadModelPath: this.vadModelPath });
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
