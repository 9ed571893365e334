import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import { reportModelCheck } from '../engine/model-check/report-model-check.js';
import { toFloatSamples } from '../engine/sherpa-onnx/pcm-float.js';
import type { DiarizationCheckRequest } from './diarization-model-check.js';
import sherpaOnnxEvidence from './sherpa-onnx-evidence-task.js';
import { createSpeakerEmbeddingExtractor, speechEmbedding } from './sherpa-onnx-speaker-models.js';

/**
 * The child process of the diarization model check (`diarization-model-check.ts` forks it): loads
 * the models its argument names and runs them once on two seconds of quiet noise (rather than
 * digital silence, so the features have some variance to normalise). A model that crashes
 * sherpa-onnx ends this process, not the worker.
 */
reportModelCheck(async () => {
  const argument = process.argv[2];
  if (argument === undefined) throw new Error('diarization-model-check-main takes a DiarizationCheckRequest, as JSON, as its argument');
  // The parent wrote it with JSON.stringify from a DiarizationCheckRequest.
  const { stage, models } = JSON.parse(argument) as DiarizationCheckRequest;
  const pcm = quietNoise(2 * ENGINE_SAMPLE_RATE);
  if (stage === 'diarization') {
    sherpaOnnxEvidence({ pcm, offsetSeconds: 0, models });
    return;
  }
  const extractor = createSpeakerEmbeddingExtractor(models.embedding);
  const embedding = speechEmbedding(extractor, toFloatSamples(pcm));
  if (embedding === undefined) throw new Error(`The speaker-embedding model ${models.embedding} gave no embedding for 2 s of audio`);
  if (embedding.length !== extractor.dim || !embedding.every(Number.isFinite)) {
    throw new Error(`The speaker-embedding model ${models.embedding} gave an embedding that is not ${extractor.dim} finite numbers`);
  }
});

/** Deterministic noise about 40 dB below full scale. */
function quietNoise(samples: number): Int16Array {
  const pcm = new Int16Array(samples);
  let state = 1;
  for (let i = 0; i < samples; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    pcm[i] = Math.round((state / 2 ** 32 - 0.5) * 650);
  }
  return pcm;
}
