import type { Logger } from '@stt/shared';
import type { AsrConfig, ModelSourcePrefix } from '../config.js';
import type { ModelSourceOptions } from './resolve-model.js';

/**
 * What `resolveModel` needs for the model `prefix` names (`MODEL`, `DIARIZATION_SEGMENTATION_MODEL`,
 * …): its `_URL` or `_PATH` and `_SHA256`, with the cache and download settings every model shares.
 */
export function configuredModelSource(config: AsrConfig, prefix: ModelSourcePrefix, logger: Logger): ModelSourceOptions {
  return {
    url: config[`${prefix}_URL`],
    path: config[`${prefix}_PATH`],
    sha256: config[`${prefix}_SHA256`],
    cacheDir: config.MODEL_CACHE_DIR,
    downloadTimeoutMs: config.DOWNLOAD_TIMEOUT * 1000,
    retries: config.MODEL_DOWNLOAD_RETRIES,
    logger,
  };
}
