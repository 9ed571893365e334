import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { parseResponse, type RawResponse } from './raw-http.js';

/**
 * An HTTP/1.1 client on a bare socket that sends what it is told when it is told, as a slow or
 * hostile client does: a request's head, then its body a byte at a time, or nothing at all.
 */
export class SlowClient {
  /** The server's first answer, once it has arrived whole (undefined if the connection closed first). */
  readonly response: Promise<RawResponse | undefined>;
  /** Resolves when the server (or anything) closed the connection. */
  readonly closed: Promise<void>;
  private received = Buffer.alloc(0);

  private constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    this.response = new Promise((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        this.received = Buffer.concat([this.received, chunk]);
        const parsed = parseResponse(this.received);
        if (parsed) resolve(parsed);
      });
      void this.closed.then(() => resolve(parseResponse(this.received)));
    });
  }

  static async open(url: string): Promise<SlowClient> {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new SlowClient(socket);
  }

  /** The server's first answer, or an error when none came within `timeoutMs` (the bound a real client sets). */
  answer(timeoutMs = 30_000): Promise<RawResponse | undefined> {
    return within(this.response, timeoutMs, 'no answer');
  }

  /** Resolves when the connection is closed, or fails when it is still open after `timeoutMs`. */
  gone(timeoutMs = 30_000): Promise<void> {
    return within(this.closed, timeoutMs, 'the connection still open');
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Sends one byte every `intervalMs` until the connection closes or `stop` says so. */
  async trickle(byte: string, intervalMs: number, stop: () => boolean = () => false): Promise<void> {
    while (!this.socket.destroyed && !stop()) {
      this.write(byte);
      await delay(intervalMs);
    }
  }

  /** Sends `body` in chunks of `chunkBytes`, one every `intervalMs`. */
  async pace(body: Buffer, chunkBytes: number, intervalMs: number): Promise<void> {
    for (let offset = 0; offset < body.length && !this.socket.destroyed; offset += chunkBytes) {
      this.write(body.subarray(offset, offset + chunkBytes));
      await delay(intervalMs);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The head of a request to `path` with these headers (`Host` and the request line added). */
export function requestHead(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    delay(timeoutMs, undefined, { ref: false }).then(() => {
      throw new Error(`${what} after ${timeoutMs} ms`);
    }),
  ]);
}
