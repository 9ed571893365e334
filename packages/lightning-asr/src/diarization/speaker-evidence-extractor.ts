import type { SpeakerEvidence } from '@stt/shared';

/**
 * Gathers, for one batch segment, what the API server needs to tell its speakers apart (see
 * `SpeakerEvidence`). Implementations work off the event loop.
 */
export interface SpeakerEvidenceExtractor {
  /** `mfcc-ward` (the default, no model) or `sherpa-onnx` (the operator's models). */
  readonly name: string;
  /** Evidence for 16-bit mono PCM at `ENGINE_SAMPLE_RATE`; times shifted by `offsetSeconds`. */
  extract(pcm: Int16Array, offsetSeconds: number): Promise<SpeakerEvidence>;
  close(): Promise<void>;
}
