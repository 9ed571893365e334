import type { AsrConfig } from '../config.js';
import type { AsrEngine } from './asr-engine.js';
import { PocketSphinxEngine } from './pocketsphinx/pocketsphinx-engine.js';

/** Loads the engine `ASR_ENGINE` names; a second engine plugs in here. */
export async function createEngine(config: AsrConfig): Promise<AsrEngine> {
  switch (config.ASR_ENGINE) {
    case 'pocketsphinx':
      return PocketSphinxEngine.load({
        modelDir: config.POCKETSPHINX_MODEL_DIR,
        decoders: config.ASR_CAPACITY,
        liveDecoders: config.ASR_STREAM_CAPACITY,
      });
  }
}
