import type { RawData, WebSocket } from 'ws';
import {
  CLOSE_CODES,
  frameBytes,
  parseJsonAs,
  pcmToBytes,
  workerStreamEventSchema,
  type ApiError,
  type Logger,
  type StreamCommand,
  type StreamQuery,
  type WorkerStreamEvent, ENGINE_SAMPLE_RATE } from '@stt/shared';
import type { LiveMessage, LiveProtocol } from './live-protocol.js';
import { ReplayBuffer } from './replay-buffer.js';
import { StreamAudioConverter } from './stream-audio-converter.js';
import type { StreamLatency } from './stream-latency.js';

export interface StreamRelayOptions {
  readonly query: StreamQuery;
  /** How the client is spoken to: the API's messages and commands. */
  readonly protocol: LiveProtocol;
  /** No audio and no keepalive for this long ends the session. */
  readonly idleTimeoutMs: number;
  /** A session this old is ended: its last final, then AUDIO_TOO_LONG and 1008. */
  readonly maxDurationMs: number;
  /** Bytes either side may have waiting to be sent before the session is ended (1008). */
  readonly maxBufferedBytes: number;
  /** The largest frame a client may send; a bigger one ends the session (1009). */
  readonly maxFrameBytes: number;
  /** Audio kept since the last final for replay on another worker. */
  readonly maxReplaySeconds: number;
  /** Another worker for the session, its times starting at `offsetSeconds`. */
  readonly reconnect: (offsetSeconds: number) => Promise<WorkerConnection>;
  /** Where each transcription message's latency is recorded. */
  readonly latency: StreamLatency;
}

/** A worker's stream for a session, or none, and then whether workers were up but had no room. */
export interface WorkerConnection {
  readonly worker?: WebSocket;
  readonly workersFull: boolean;
}

/** How a session closes once its last final is in: the code, after the reason when there is one. */
interface Closing {
  readonly closeCode: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/** How a session ended: its audio, and the close code and error code the server ended it with, if it did. */
export interface StreamEnded {
  readonly audioSeconds: number;
  readonly closeCode?: number;
  readonly errorCode?: string;
}

/** A `finalize` or `close_stream` not answered yet, and when it came (ms, `performance.now()`). */
interface PendingCommand {
  readonly command: StreamCommand;
  readonly at: number;
}

/** A client frame received before the relay started. */
export interface ClientFrame {
  readonly data: RawData;
  readonly isBinary: boolean;
}

/** How long a session ended by the server waits for its last final. */
const LAST_FINAL_WAIT_MS = 5000;
/** Audio goes to the worker in frames of at most 1 s, whatever the client's frames were (the worker takes ≤ 10 s). */
const WORKER_FRAME_SAMPLES = ENGINE_SAMPLE_RATE;

/**
 * One client stream relayed to a worker: audio converted to 16 kHz linear16 on the way in,
 * worker events turned into the client's messages on the way out, commands passed along, and
 * the session ended with the contract's error message and close code when anything goes wrong.
 * The audio since the last final is kept: when the worker dies, the session moves to another
 * one and that audio is replayed, so no utterance is lost and no final comes twice.
 */
export class StreamRelay {
  readonly finished: Promise<StreamEnded>;
  private resolveFinished!: (result: StreamEnded) => void;
  private readonly converter: StreamAudioConverter;
  private readonly replay: ReplayBuffer;
  /** `finalize` / `close_stream` sent since the last final: replayed with the audio. */
  private commands: PendingCommand[] = [];
  private samplesSent = 0;
  /** The worker now serving the session; undefined while it is being replaced. */
  private worker: WebSocket | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private durationTimer: NodeJS.Timeout | undefined;
  private ended = false;
  private started = false;
  /** How the session closes once the last final is in: 1000, unless the server ends it early. */
  private closing: Closing = { closeCode: CLOSE_CODES.normal };

  constructor(
    private readonly client: WebSocket,
    worker: WebSocket,
    private readonly options: StreamRelayOptions,
    private readonly log: Logger,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.converter = new StreamAudioConverter(options.query.encoding, options.query.sample_rate);
    this.replay = new ReplayBuffer(options.maxReplaySeconds * ENGINE_SAMPLE_RATE);
    this.attach(worker);
    // Watched from the upgrade on, not from start(): a client closed while its limits are checked
    // (the WebSocket layer refused a frame, say) must end the session, or its worker stream is
    // taken for a lost worker and moved to another one, for nobody.
    if (client.readyState === client.CLOSED) this.end();
    else client.once('close', () => this.end());
  }

  /** Starts relaying, beginning with the frames the client sent before (`early`, in order). */
  start(early: readonly ClientFrame[]): void {
    if (this.ended) return;
    this.started = true;
    const opening = this.options.protocol.opening();
    if (opening !== undefined) this.sendToClient(opening);
    const onFrame = (data: RawData, isBinary: boolean): void => {
      if (this.ended) return;
      const bytes = frameBytes(data);
      if (bytes.length > this.options.maxFrameBytes) {
        this.fail('FRAME_TOO_LARGE', `A frame may hold at most ${this.options.maxFrameBytes / 1024} KB.`, CLOSE_CODES.tooLarge);
      } else if (isBinary) {
        this.onAudio(bytes);
      } else {
        this.onCommand(bytes);
      }
    };
    this.client.on('message', onFrame);
    for (const frame of early) onFrame(frame.data, frame.isBinary);
    this.touch();
    const maxSeconds = this.options.maxDurationMs / 1000;
    this.durationTimer = setTimeout(
      () => void this.finishEarly({ closeCode: CLOSE_CODES.policy, error: { code: 'AUDIO_TOO_LONG', message: `A stream may last at most ${maxSeconds} s.` } }),
      this.options.maxDurationMs,
    );
  }

  private attach(worker: WebSocket): void {
    this.worker = worker;
    let reportedError = false;
    worker.on('message', (data: RawData) => {
      if (this.worker !== worker) return;
      const event = parseJsonAs(workerStreamEventSchema, frameBytes(data).toString('utf8'));
      if (event?.type === 'error') reportedError = true;
      if (event !== undefined) this.onWorkerEvent(event);
    });
    worker.on('close', (code: number) => {
      if (this.ended || this.worker !== worker) return;
      this.worker = undefined;
      // A worker that said why it ended the stream (an overflow, say) has decided for the session.
      if (reportedError) this.end(code === CLOSE_CODES.policy ? code : CLOSE_CODES.internalError);
      else void this.moveToAnotherWorker();
    });
    worker.on('error', (error) => this.log.warn({ err: error }, 'Worker stream error'));
  }

  private async moveToAnotherWorker(): Promise<void> {
    this.log.warn({ replay_seconds: (this.samplesSent - this.replay.start) / ENGINE_SAMPLE_RATE }, 'Worker lost mid-stream; moving the session');
    const { worker, workersFull } = await this.options.reconnect(this.replay.start / ENGINE_SAMPLE_RATE).catch(() => ({ workersFull: false }) as WorkerConnection);
    if (this.ended) {
      worker?.close(CLOSE_CODES.normal);
      return;
    }
    if (worker === undefined && workersFull) {
      this.fail('SERVICE_UNAVAILABLE', 'The transcription worker went away and the other workers have no room for the stream now.', CLOSE_CODES.tryAgainLater);
      return;
    }
    if (worker === undefined) {
      this.fail('WORKER_LOST', 'The transcription worker went away and no other worker can take the stream.', CLOSE_CODES.internalError);
      return;
    }
    this.attach(worker);
    for (const samples of this.replay.contents()) sendAudio(worker, samples);
    for (const { command } of this.commands) worker.send(JSON.stringify(command));
    this.log.info('Session moved to another worker');
  }

  private onAudio(bytes: Buffer): void {
    this.touch();
    this.options.protocol.heard?.(bytes);
    const samples = this.converter.convert(bytes);
    if (samples.length === 0) return;
    if ((this.worker?.bufferedAmount ?? 0) > this.options.maxBufferedBytes) {
      this.fail('BUFFER_OVERFLOW', 'Audio arrives faster than it can be transcribed.', CLOSE_CODES.policy);
      return;
    }
    this.samplesSent += samples.length;
    this.replay.append(samples, performance.now());
    if (this.worker !== undefined) sendAudio(this.worker, samples);
  }

  private onCommand(bytes: Buffer): void {
    const { protocol } = this.options;
    const command = protocol.command(bytes.toString('utf8'));
    if (command === undefined) {
      this.sendToClient(protocol.error('INVALID_PARAMETER', protocol.commandHint));
      return;
    }
    if (command.type === 'close_stream') {
      // The client now waits for its last final, however long the worker takes: not idle.
      clearTimeout(this.idleTimer);
    } else {
      this.touch();
    }
    if (command.type === 'keepalive') return;
    this.sendCommand(command);
  }

  private onWorkerEvent(event: WorkerStreamEvent): void {
    if (this.ended) return;
    if (this.client.bufferedAmount > this.options.maxBufferedBytes) {
      this.fail('BUFFER_OVERFLOW', 'The client reads results too slowly.', CLOSE_CODES.policy);
      return;
    }
    const arrivedAt = event.type === 'partial' || event.type === 'final' ? this.settle(event) : undefined;
    const sent = this.options.protocol.messages(event).every((message) => this.sendToClient(message));
    if (sent && arrivedAt !== undefined) this.options.latency.observe(event.type === 'final' ? 'final' : 'interim', arrivedAt, performance.now());
    if (event.type === 'final' && event.is_last) this.close();
  }

  /**
   * When what a transcription message answers had arrived: the audio up to its end and, for a
   * final of `finalize` / `close_stream`, that command if it came later. A final settles both:
   * no replay repeats the audio before it, and the command is answered.
   */
  private settle(event: Extract<WorkerStreamEvent, { type: 'partial' | 'final' }>): number | undefined {
    const position = Math.round(event.end * ENGINE_SAMPLE_RATE);
    const audioArrivedAt = this.replay.arrivalOf(position);
    if (event.type === 'partial') return audioArrivedAt;
    this.replay.dropBefore(Math.min(this.samplesSent, position));
    const answered = event.from_finalize ? this.commands.shift() : undefined;
    return answered === undefined ? audioArrivedAt : Math.max(answered.at, audioArrivedAt ?? answered.at);
  }

  /** The server is going away: the last final, then close 1001. */
  shutdown(): Promise<void> {
    return this.finishEarly({ closeCode: CLOSE_CODES.goingAway });
  }

  /**
   * Ends the session before the client asked: the worker is asked for the last final as
   * `close_stream` would, it is relayed, then the session closes as `closing` says; without the
   * final within LAST_FINAL_WAIT_MS, it closes anyway.
   */
  private async finishEarly(closing: Closing): Promise<void> {
    if (this.ended) return;
    this.closing = closing;
    if (!this.started) return this.close();
    this.sendCommand({ type: 'close_stream' });
    const timer = setTimeout(() => this.close(), LAST_FINAL_WAIT_MS);
    await this.finished;
    clearTimeout(timer);
  }

  private close(): void {
    const { closeCode, error } = this.closing;
    if (error !== undefined) return this.fail(error.code, error.message, closeCode);
    const farewell = this.options.protocol.farewell(this.samplesSent / ENGINE_SAMPLE_RATE);
    if (farewell !== undefined) this.sendToClient(farewell);
    this.end(closeCode);
  }

  /** Ends a session that may not run (a limit of its key) or go on (the license became unusable): the reason, then close 1008. */
  refuse(error: ApiError): void {
    this.fail(error.code, error.message, CLOSE_CODES.policy);
  }

  /** Passes a `finalize` / `close_stream` on, kept (with when it came) until its final answers it. */
  private sendCommand(command: StreamCommand): void {
    this.commands.push({ command, at: performance.now() });
    this.worker?.send(JSON.stringify(command));
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(
      () => this.fail('IDLE_TIMEOUT', `No audio or keepalive for ${this.options.idleTimeoutMs / 1000} s.`, CLOSE_CODES.internalError),
      this.options.idleTimeoutMs,
    );
  }

  private fail(code: string, message: string, closeCode: number): void {
    this.log.warn({ code }, `Stream ended: ${message}`);
    this.sendToClient(this.options.protocol.error(code, message));
    this.end(closeCode, code);
  }

  /** Ends the session once: closes both sides (a client already gone is left as it is). */
  private end(closeCode?: number, errorCode?: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.durationTimer);
    if (closeCode !== undefined && this.client.readyState === this.client.OPEN) this.client.close(closeCode);
    const worker = this.worker;
    if (worker !== undefined && (worker.readyState === worker.OPEN || worker.readyState === worker.CONNECTING)) worker.close(CLOSE_CODES.normal);
    this.resolveFinished({ audioSeconds: this.samplesSent / ENGINE_SAMPLE_RATE, closeCode, errorCode });
  }

  /** Sends `message` unless the client has gone; whether it was sent. */
  private sendToClient(message: LiveMessage): boolean {
    if (this.client.readyState !== this.client.OPEN) return false;
    this.client.send(JSON.stringify(message));
    return true;
  }
}

function sendAudio(worker: WebSocket, samples: Int16Array): void {
  for (let offset = 0; offset < samples.length; offset += WORKER_FRAME_SAMPLES) {
    worker.send(pcmToBytes(samples.subarray(offset, offset + WORKER_FRAME_SAMPLES)));
  }
}
