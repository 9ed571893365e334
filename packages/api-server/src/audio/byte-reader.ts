import type { Readable } from 'node:stream';

/**
 * Pulls an upload's bytes on demand. A few bytes can be peeked at without being consumed (to sniff
 * the container and read a WAV header, then hand the untouched stream on); the rest streams
 * through chunk by chunk, so at most the peeked bytes are ever held at once.
 *
 * Every wait for the source also watches the abort signal: a stalled upload cannot keep a
 * cancelled decode waiting.
 */
export class ByteReader {
  /** Bytes pulled from the source and not consumed yet, oldest first. */
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  private ended = false;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Reads a Node stream. Stopping early leaves the stream as it is rather than destroying it: an
   * upload is an HTTP request, and the server still has to answer on its connection.
   */
  static fromReadable(input: Readable, signal?: AbortSignal): ByteReader {
    return new ByteReader(input.iterator({ destroyOnReturn: false }), signal);
  }

  /** Up to `length` bytes from the current position, left unconsumed; fewer only at the end. */
  async peek(length: number): Promise<Uint8Array> {
    while (this.pendingLength < length && (await this.pull()));
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending)];
    const first = this.pending[0] ?? new Uint8Array(0);
    return first.subarray(0, Math.min(length, first.length));
  }

  /** Up to `length` bytes, consumed; fewer only at the end. */
  async read(length: number): Promise<Uint8Array> {
    const bytes = await this.peek(length);
    this.consume(bytes.length);
    return bytes;
  }

  /** Discards up to `length` bytes without holding them; returns how many there were. */
  async skip(length: number): Promise<number> {
    let skipped = 0;
    while (skipped < length) {
      if (!(await this.hasPending())) break;
      const count = Math.min(length - skipped, this.pendingLength);
      this.consume(count);
      skipped += count;
    }
    return skipped;
  }

  /** The remaining bytes (at most `limit`) as they arrive, peeked ones first. */
  async *stream(limit = Number.POSITIVE_INFINITY): AsyncGenerator<Uint8Array> {
    let remaining = limit;
    while (remaining > 0) {
      if (!(await this.hasPending())) return;
      const chunk = this.pending[0]!;
      const part = chunk.length <= remaining ? chunk : chunk.subarray(0, remaining);
      this.consume(part.length);
      remaining -= part.length;
      yield part;
    }
  }

  /**
   * Lets go of the source. Not awaited: a source still waiting for bytes that never come would
   * keep the caller waiting too.
   */
  close(): void {
    this.source.return?.().catch(() => undefined);
  }

  private consume(length: number): void {
    let left = length;
    while (left > 0) {
      const first = this.pending[0]!;
      if (first.length <= left) {
        this.pending.shift();
        left -= first.length;
      } else {
        this.pending[0] = first.subarray(left);
        left = 0;
      }
    }
    this.pendingLength -= length;
  }

  /** Whether any byte is pending, pulling one chunk if none is; false at the end of the source. */
  private async hasPending(): Promise<boolean> {
    while (this.pendingLength === 0) if (!(await this.pull())) return false;
    return true;
  }

  /** Appends the source's next chunk to the pending bytes; false at the end of the source. */
  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const result = await this.next();
    if (result.done) {
      this.ended = true;
      return false;
    }
    const chunk = toBytes(result.value);
    // Empty chunks are dropped: an empty chunk at the front would never be consumed.
    if (chunk.length > 0) {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
    }
    return true;
  }

  private next(): Promise<IteratorResult<unknown>> {
    const signal = this.signal;
    if (!signal) return this.source.next();
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.source
        .next()
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  throw new TypeError('The audio input stream must yield bytes, not objects.');
}
