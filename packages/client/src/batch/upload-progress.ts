/** How much of an upload fetch has taken: `total` when the size is known. */
export interface UploadProgress {
  readonly loaded: number;
  readonly total: number | undefined;
}

export type UploadProgressListener = (progress: UploadProgress) => void;

/**
 * `chunks` as fetch pulls them, reporting the bytes taken so far after each: fetch pulls the
 * next chunk only when the connection has room, so the count follows what was sent.
 */
export async function* countingUpload(chunks: AsyncIterable<Uint8Array>, total: number | undefined, listener: UploadProgressListener | undefined): AsyncGenerator<Uint8Array> {
  let loaded = 0;
  listener?.({ loaded, total });
  for await (const chunk of chunks) {
    yield chunk;
    loaded += chunk.byteLength;
    listener?.({ loaded, total });
  }
}
