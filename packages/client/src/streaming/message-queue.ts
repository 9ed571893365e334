/**
 * Messages waiting for a reader, as an async iterator. Past `highWaterMark` unread it calls
 * `pause` (the socket stops being read, so TCP slows the sender), and `resume` once the reader
 * has caught up to half of it: memory stays bounded however slow the reader.
 */
export class MessageQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private ended = false;
  private failure: unknown;
  private paused = false;

  constructor(
    private readonly highWaterMark: number,
    private readonly pause: () => void,
    private readonly resume: () => void,
  ) {}

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting !== undefined) return this.wake({ value: item, done: false });
    this.items.push(item);
    if (!this.paused && this.items.length >= this.highWaterMark) {
      this.paused = true;
      this.pause();
    }
  }

  /** No more items; the reader gets `error` after the ones queued, if one is given. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    if (this.waiting === undefined) return;
    if (error !== undefined) {
      const fail = this.failWaiting!;
      this.waiting = undefined;
      this.failWaiting = undefined;
      fail(error);
    } else this.wake({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) {
      if (this.paused && this.items.length <= this.highWaterMark / 2) {
        this.paused = false;
        this.resume();
      }
      return Promise.resolve({ value: item, done: false });
    }
    if (this.ended) return this.failure === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next() };
  }

  private wake(result: IteratorResult<T>): void {
    const wake = this.waiting!;
    this.waiting = undefined;
    this.failWaiting = undefined;
    wake(result);
  }
}
