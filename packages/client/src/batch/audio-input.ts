import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * What can be transcribed: a file path, bytes, a stream of bytes (a Node stream, a web stream,
 * any async iterable), or a URL the server fetches itself (`URL` or `{ url }`).
 */
export type AudioInput = string | Uint8Array | Readable | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | URL | { readonly url: string };

/** Audio the client uploads: its bytes (fresh for every attempt when replayable) and size when known. */
export interface UploadSource {
  readonly kind: 'upload';
  readonly total: number | undefined;
  /** A path or bytes can be sent again on a retry; a stream, once read, cannot. */
  readonly replayable: boolean;
  readonly chunks: () => AsyncIterable<Uint8Array>;
}

export type AudioSource = UploadSource | { readonly kind: 'url'; readonly url: string };

/** Bytes are handed to fetch in slices of this size, so upload progress moves in steps. */
const SLICE_BYTES = 64 * 1024;

/** How `input` is sent; `size` is the stream's length when the caller knows it (for progress). */
export function audioSource(input: AudioInput, size?: number): AudioSource {
  if (input instanceof URL) return { kind: 'url', url: input.href };
  if (typeof input === 'string') {
    return { kind: 'upload', total: statSync(input).size, replayable: true, chunks: () => createReadStream(input, { highWaterMark: SLICE_BYTES }) };
  }
  if (input instanceof Uint8Array) return { kind: 'upload', total: input.byteLength, replayable: true, chunks: () => slices(input) };
  if (input instanceof ReadableStream) {
    const stream = Readable.fromWeb(input as import('node:stream/web').ReadableStream<Uint8Array>);
    return { kind: 'upload', total: size, replayable: false, chunks: () => stream };
  }
  if ('url' in input && typeof input.url === 'string') return { kind: 'url', url: input.url };
  const stream = input as AsyncIterable<Uint8Array>;
  return { kind: 'upload', total: size, replayable: false, chunks: () => stream };
}

async function* slices(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += SLICE_BYTES) yield bytes.subarray(offset, offset + SLICE_BYTES);
}
