import type { ModelLayout } from './model-layout.js';
import type { OfflineModelConfig, OfflineRecognizerConfig, OnlineRecognizerConfig, Provider } from './sherpa-onnx-node-binding.js';

export interface RecognizerSettings {
  readonly threads: number;
  readonly provider: Provider;
}

/*
 * No `featConfig`: its defaults (16 kHz, 80 mel bins) are what sherpa-onnx expects, and the model
 * implementations that need other features (whisper's, NeMo's) take them from the model.
 */

export function offlineRecognizerConfig(layout: ModelLayout, settings: RecognizerSettings): OfflineRecognizerConfig {
  return { modelConfig: { ...offlineModel(layout), tokens: layout.tokens, numThreads: settings.threads, provider: settings.provider, debug: 0 } };
}

/** For a streaming transducer layout. */
export function onlineRecognizerConfig(layout: Extract<ModelLayout, { kind: 'transducer' }>, settings: RecognizerSettings): OnlineRecognizerConfig {
  return {
    modelConfig: {
      transducer: { encoder: layout.encoder, decoder: layout.decoder, joiner: layout.joiner },
      tokens: layout.tokens,
      numThreads: settings.threads,
      provider: settings.provider,
      debug: 0,
    },
    decodingMethod: 'greedy_search',
    // Utterances are cut by the VAD and the session's `eou_timeout_ms`, not by sherpa-onnx's rules.
    enableEndpoint: 0,
  };
}

type OfflineModelFiles = Omit<OfflineModelConfig, 'tokens' | 'numThreads' | 'provider' | 'debug'>;

function offlineModel(layout: ModelLayout): OfflineModelFiles {
  switch (layout.kind) {
    case 'transducer':
      return { transducer: { encoder: layout.encoder, decoder: layout.decoder, joiner: layout.joiner }, modelType: layout.modelType };
    case 'whisper':
      // An empty language lets a multilingual whisper detect it; `.en` models ignore it.
      return { whisper: { encoder: layout.encoder, decoder: layout.decoder, language: '', task: 'transcribe' } };
    case 'moonshine':
      return { moonshine: { preprocessor: layout.preprocessor, encoder: layout.encoder, uncachedDecoder: layout.uncachedDecoder, cachedDecoder: layout.cachedDecoder } };
    case 'sense-voice':
      // Inverse text normalisation: numbers as digits ("25", not "twenty five").
      return { senseVoice: { model: layout.model, language: 'auto', useInverseTextNormalization: 1 } };
    case 'paraformer':
      return { paraformer: { model: layout.model } };
  }
}
