import type { SpeakerEvidence } from '@stt/shared';
import { findSpeechSegments } from '../engine/sherpa-onnx/sherpa-onnx-silero-vad.js';
import { mfccFeatureBlocks } from './mfcc-feature-blocks.js';
import type { SegmentTask } from './pooled-evidence-extractor.js';

export interface MfccEvidenceTask extends SegmentTask {
  readonly vadModelPath: string;
}

/**
 * Piscina's entry (a worker thread): speech found by the Silero VAD, then MFCC statistics of it.
 * A 0.3 s minimum silence splits speech at the pauses between speakers' turns.
 */
export default function mfccEvidence(task: MfccEvidenceTask): SpeakerEvidence {
  const speech = findSpeechSegments(task.pcm, { modelPath: task.vadModelPath, minSilenceSeconds: 0.3 });
  return mfccFeatureBlocks(task.pcm, speech, task.offsetSeconds);
}
