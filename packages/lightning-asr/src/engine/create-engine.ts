import type { AsrEngine } from './asr-engine.js';
import type { EngineSpec } from './engine-spec.js';
import { PocketSphinxEngine } from './pocketsphinx/pocketsphinx-engine.js';
import { SherpaOnnxEngine } from './sherpa-onnx/sherpa-onnx-engine.js';
import type { VoiceActivityDetector } from './vad/voice-activity-detector.js';
import { WhisperEngine } from './whisper/whisper-engine.js';

/** Loads the engine a spec names; `createVad` gives each live stream its voice-activity model. */
export async function createEngine(spec: EngineSpec, createVad: () => VoiceActivityDetector): Promise<AsrEngine> {
  switch (spec.engine) {
    case 'pocketsphinx':
      return PocketSphinxEngine.load(spec);
    case 'whisper':
      return WhisperEngine.load(spec, createVad);
    case 'sherpa-onnx':
      return SherpaOnnxEngine.load(spec, createVad);
  }
}
