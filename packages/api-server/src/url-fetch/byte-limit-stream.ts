import { Transform, type TransformCallback } from 'node:stream';
import { fileTooLarge } from './url-fetch-errors.js';

/**
 * Passes bytes through until more than `maxBytes` have gone by, then destroys itself with the
 * error `tooLarge` makes (default: FILE_TOO_LARGE naming the limit). A Content-Length check alone
 * is not enough: chunked responses have none, and a server may send more than it announced.
 */
export class ByteLimitStream extends Transform {
  #received = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly tooLarge: () => Error = () => fileTooLarge(maxBytes),
  ) {
    super();
  }

  /** Bytes passed through so far. */
  get received(): number {
    return this.#received;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#received += chunk.length;
    if (this.#received > this.maxBytes) callback(this.tooLarge());
    else callback(null, chunk);
  }
}
