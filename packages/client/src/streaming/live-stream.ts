import type { IncomingMessage } from 'node:http';
import WebSocket, { type RawData } from 'ws';
import { errorFromAnswer, parseObject } from '../errors/error-body.js';
import { SttError } from '../errors/stt-error.js';
import { MessageQueue } from './message-queue.js';
import type { SessionStarted, StreamErrorMessage, StreamMessage } from './stream-messages.js';

const NORMAL_CLOSE = 1000;

export interface LiveStreamSettings {
  readonly headers: Record<string, string>;
  readonly readHighWaterMark: number;
  readonly sendHighWaterMark: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * One live transcription session: audio goes in with `send` (which waits while too much is
 * still unsent), messages come out of the async iterator (which stops reading the socket while
 * too many are unread). The iterator ends after the server's normal close (1000, after
 * `end()`), and throws an SttError for any other close, with the server's code when it sent one.
 */
export class LiveStream implements AsyncIterable<StreamMessage> {
  /** Resolves when the server's close has been seen, with its code. */
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  private readonly messages: MessageQueue<StreamMessage>;
  private readonly started: Promise<SessionStarted>;
  private sessionStarted: SessionStarted | undefined;
  private lastError: StreamErrorMessage | undefined;

  private constructor(
    private readonly socket: WebSocket,
    private readonly settings: LiveStreamSettings,
  ) {
    this.messages = new MessageQueue(settings.readHighWaterMark, () => socket.pause(), () => socket.resume());
    let markStarted!: (session: SessionStarted) => void;
    let failStart!: (error: unknown) => void;
    this.started = new Promise((resolve, reject) => {
      markStarted = resolve;
      failStart = reject;
    });
    // Listeners go on before the first event, so no message between two ticks is missed.
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      const message = parseObject(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8'));
      if (message === undefined || typeof message.type !== 'string') return;
      if (message.type === 'session_started') {
        this.sessionStarted = message as SessionStarted;
        markStarted(this.sessionStarted);
      } else if (message.type === 'error') this.lastError = message as unknown as StreamErrorMessage;
      else this.messages.push(message as unknown as StreamMessage);
    });
    socket.once('unexpected-response', (_request, response: IncomingMessage) => {
      void refusal(response).then((error) => {
        failStart(error);
        this.messages.end(error);
      });
    });
    socket.on('error', (error) => {
      const failure = new SttError(`The stream failed: ${error.message}.`, { code: 'NETWORK_ERROR', cause: error });
      failStart(failure);
      this.messages.end(failure);
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        const failure = code === NORMAL_CLOSE ? undefined : this.closeError(code, reason.toString('utf8'));
        failStart(failure ?? new SttError('The server closed the stream before it started.', { code: 'STREAM_CLOSED', closeCode: code }));
        this.messages.end(failure);
        resolve({ code, reason: reason.toString('utf8') });
      });
    });
    settings.signal?.addEventListener('abort', () => this.abort(), { once: true });
  }

  /** Connects and waits for `session_started`; rejects with the refusal (401, 503, a 1013 close, …). */
  static async open(url: string, settings: LiveStreamSettings): Promise<LiveStream> {
    const stream = new LiveStream(new WebSocket(url, { headers: settings.headers }), settings);
    try {
      await stream.started;
    } catch (error) {
      stream.abort();
      throw error;
    }
    return stream;
  }

  /** The server's first message: the session id and the effective configuration. */
  get session(): SessionStarted {
    return this.sessionStarted!;
  }

  /** Sends one frame of audio; waits for it to be written while more than the high-water mark is unsent. */
  send(audio: Uint8Array): Promise<void> {
    if (this.socket.readyState !== WebSocket.OPEN) return Promise.reject(new SttError('The stream is closed.', { code: 'STREAM_CLOSED' }));
    return new Promise((resolve, reject) => {
      const mustWait = this.socket.bufferedAmount + audio.byteLength > this.settings.sendHighWaterMark;
      this.socket.send(audio, (error) => {
        if (!mustWait) return;
        if (error) reject(new SttError(`Audio could not be sent: ${error.message}.`, { code: 'STREAM_CLOSED', cause: error }));
        else resolve();
      });
      if (!mustWait) resolve();
    });
  }

  /** Flushes: the audio so far becomes a final; the session stays open. */
  finalize(): void {
    this.command('finalize');
  }

  /** Keeps an idle session open (the server closes one idle for 15 s). */
  keepAlive(): void {
    this.command('keepalive');
  }

  /** No more audio: the server sends the last final (`is_last: true`), then closes with 1000. */
  end(): void {
    this.command('close_stream');
  }

  /** Drops the connection at once, without waiting for results. */
  abort(): void {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.terminate();
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamMessage> {
    return this.messages[Symbol.asyncIterator]();
  }

  private command(type: 'finalize' | 'keepalive' | 'close_stream'): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type }));
  }

  private closeError(code: number, reason: string): SttError {
    const said = this.lastError;
    const message = said?.message ?? `The stream closed with ${code}${reason ? ` (${reason})` : ''}.`;
    return new SttError(message, {
      code: said?.code ?? 'STREAM_CLOSED',
      closeCode: code,
      retryAfter: typeof said?.retry_after === 'number' ? said.retry_after : undefined,
    });
  }
}

/** The refused upgrade's HTTP error, read from its body. */
function refusal(response: IncomingMessage): Promise<SttError> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('error', () => undefined);
    response.on('close', () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers.set(name, value);
      resolve(errorFromAnswer(response.statusCode ?? 0, headers, Buffer.concat(chunks).toString('utf8')));
    });
  });
}
