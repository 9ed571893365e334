import type { Logger } from '@stt/shared';
import { downloadedModel } from './downloaded-model.js';
import { errorText } from './error-text.js';
import { ModelSourceError } from './errors/model-source-error.js';
import { fileUrlModel, localModel } from './local-model.js';
import { ModelUrl } from './model-url.js';
import type { ResolvedModel } from './resolved-model.js';

export type { ResolvedModel } from './resolved-model.js';

/** The first retry waits this long by default; each further one twice as long. */
const DEFAULT_BACKOFF_MS = 1000;

export interface ModelSourceOptions {
  /** `MODEL_URL`: http:, https: or file:. Exclusive with `path` (the config checks). */
  readonly url?: string;
  /** `MODEL_PATH`: a local file or folder, used as it is. */
  readonly path?: string;
  /** `MODEL_SHA256` (64 hex); without it an http(s) model is checked against `<url>.sha256` when published. */
  readonly sha256?: string;
  /** `MODEL_CACHE_DIR`: downloads, unpacked archives and their manifests. */
  readonly cacheDir: string;
  /**
   * `DOWNLOAD_TIMEOUT`: each attempt, request to last byte, must finish within it; an attempt
   * also ends when no byte arrives for 30 s (or for this, if shorter).
   */
  readonly downloadTimeoutMs: number;
  /** Attempts after the first. */
  readonly retries: number;
  /** The delay before the first retry, doubling for each further one (at most 60 s). */
  readonly backoffMs?: number;
  readonly logger: Logger;
}

/**
 * The model the worker loads: a `MODEL_PATH` as it is, a `file:` URL in place (an archive
 * unpacked into the cache), an http(s) URL from the cache or downloaded into it, resumed,
 * retried, verified and unpacked. Several workers may share the cache directory. Every failure
 * is a ModelSourceError whose reason is fit for `/health`.
 */
export async function resolveModel(options: ModelSourceOptions): Promise<ResolvedModel> {
  const { logger } = options;
  const sha256 = options.sha256?.toLowerCase();
  try {
    if (options.path !== undefined) return await localModel(options.path, sha256, logger);
    if (options.url === undefined) throw new ModelSourceError('No model configured: set MODEL_URL or MODEL_PATH');
    const url = parseModelUrl(options.url);
    if (url.isFile) return await fileUrlModel(url, { cacheDir: options.cacheDir, sha256, logger });
    return await downloadedModel(url, {
      cacheDir: options.cacheDir,
      sha256,
      downloadTimeoutMs: options.downloadTimeoutMs,
      retries: options.retries,
      backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS,
      logger,
    });
  } catch (error) {
    if (error instanceof ModelSourceError) throw error;
    // The cache directory not writable, a disk full: still one reason for /health.
    throw new ModelSourceError(`Model could not be prepared: ${errorText(error)}`, { cause: error });
  }
}

function parseModelUrl(text: string): ModelUrl {
  let url: ModelUrl;
  try {
    url = ModelUrl.parse(text);
  } catch {
    throw new ModelSourceError('MODEL_URL is not a valid URL');
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) throw new ModelSourceError(`MODEL_URL must be http:, https: or file:, not ${url.protocol}`);
  return url;
}
