import { basename } from 'node:path';

/** Suffixes that say how a model is packed, not what it is. */
const PACKING = /(\.tar\.gz|\.tgz|\.tar\.bz2|\.tbz2?|\.tar\.xz|\.zip|\.bin)$/i;

/**
 * The name clients choose a model by (the `model` option): the file or archive name the operator
 * gave, without its packing suffix: `…/ggml-base.en.bin` → `ggml-base.en`,
 * `…/sherpa-onnx-whisper-tiny.en.tar.bz2` → `sherpa-onnx-whisper-tiny.en`. Not the cache file's
 * name, which carries a hash of the URL.
 */
export function modelName(source: { readonly url?: string | undefined; readonly path?: string | undefined }): string {
  const file = source.url !== undefined ? decodeURIComponent(new URL(source.url).pathname.split('/').pop() ?? '') : basename(source.path ?? '');
  return file.replace(/\/+$/, '').replace(PACKING, '') || 'model';
}
