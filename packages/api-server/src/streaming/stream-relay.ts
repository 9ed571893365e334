import type { RawData, WebSocket } from 'ws';
import {
  CLOSE_CODES,
  frameBytes,
  parseJsonAs,
  pcmToBytes,
  streamCommandSchema,
  workerStreamEventSchema,
  type Logger,
  type StreamQuery,
} from '@stt/shared';
import { clientMessage } from './client-messages.js';
import { StreamAudioConverter } from './stream-audio-converter.js';

export interface StreamRelayOptions {
  readonly sessionId: string;
  readonly query: StreamQuery;
  /** No audio and no keepalive for this long ends the session. */
  readonly idleTimeoutMs: number;
  /** Bytes either side may have waiting to be sent before the session is ended (1008). */
  readonly maxBufferedBytes: number;
}

const SAMPLE_RATE = 16_000;

/** A client frame received before the relay started. */
export interface ClientFrame {
  readonly data: RawData;
  readonly isBinary: boolean;
}

/**
 * One client stream relayed to its worker: audio converted to 16 kHz linear16 on the way in,
 * worker events turned into the client's messages on the way out, commands passed along, and
 * the session ended with the contract's error message and close code when anything goes wrong.
 */
export class StreamRelay {
  readonly finished: Promise<{ audioSeconds: number }>;
  private resolveFinished!: (result: { audioSeconds: number }) => void;
  private readonly converter: StreamAudioConverter;
  private samplesSent = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private ended = false;
  /** The worker's own error, forwarded; its close then ends the session with the worker's code. */
  private workerReportedError = false;

  constructor(
    private readonly client: WebSocket,
    private readonly worker: WebSocket,
    private readonly options: StreamRelayOptions,
    private readonly log: Logger,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.converter = new StreamAudioConverter(options.query.encoding, options.query.sample_rate);
  }

  /** Starts relaying, beginning with the frames the client sent before (`early`, in order). */
  start(early: readonly ClientFrame[]): void {
    this.sendToClient({ type: 'session_started', session_id: this.options.sessionId, ...this.options.query });
    const onFrame = (data: RawData, isBinary: boolean): void => (isBinary ? this.onAudio(data) : this.onCommand(data));
    this.client.on('message', onFrame);
    for (const frame of early) onFrame(frame.data, frame.isBinary);
    this.client.on('close', () => this.end());
    this.worker.on('message', (data: RawData) => this.onWorkerEvent(data));
    this.worker.on('close', (code: number) => {
      if (this.ended) return;
      if (this.workerReportedError) this.end(code === CLOSE_CODES.policy ? code : CLOSE_CODES.internalError);
      else this.fail('WORKER_LOST', 'The transcription worker went away.', CLOSE_CODES.internalError);
    });
    this.worker.on('error', (error) => this.log.warn({ err: error }, 'Worker stream error'));
    this.touch();
  }

  private onAudio(data: RawData): void {
    if (this.ended) return;
    this.touch();
    const samples = this.converter.convert(frameBytes(data));
    if (samples.length === 0) return;
    if (this.worker.bufferedAmount > this.options.maxBufferedBytes) {
      this.fail('BUFFER_OVERFLOW', 'Audio arrives faster than it can be transcribed.', CLOSE_CODES.policy);
      return;
    }
    this.samplesSent += samples.length;
    this.worker.send(pcmToBytes(samples));
  }

  private onCommand(data: RawData): void {
    if (this.ended) return;
    const command = parseJsonAs(streamCommandSchema, frameBytes(data).toString('utf8'));
    if (command === undefined) {
      this.sendToClient({ type: 'error', code: 'INVALID_PARAMETER', message: 'Text frames must be {"type":"finalize"|"close_stream"|"keepalive"}.' });
      return;
    }
    this.touch();
    if (command.type !== 'keepalive') this.worker.send(JSON.stringify(command));
  }

  private onWorkerEvent(data: RawData): void {
    if (this.ended) return;
    const event = parseJsonAs(workerStreamEventSchema, frameBytes(data).toString('utf8'));
    if (event === undefined) return;
    if (event.type === 'error') this.workerReportedError = true;
    if (this.client.bufferedAmount > this.options.maxBufferedBytes) {
      this.fail('BUFFER_OVERFLOW', 'The client reads results too slowly.', CLOSE_CODES.policy);
      return;
    }
    this.sendToClient(clientMessage(event, this.options.sessionId, this.options.query));
    if (event.type === 'final' && event.is_last) this.end(CLOSE_CODES.normal);
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
    this.sendToClient({ type: 'error', code, message });
    this.end(closeCode);
  }

  /** Ends the session once: closes both sides (a client already gone is left as it is). */
  private end(closeCode?: number): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    if (closeCode !== undefined && this.client.readyState === this.client.OPEN) this.client.close(closeCode);
    if (this.worker.readyState === this.worker.OPEN || this.worker.readyState === this.worker.CONNECTING) this.worker.close(CLOSE_CODES.normal);
    this.resolveFinished({ audioSeconds: this.samplesSent / SAMPLE_RATE });
  }

  private sendToClient(message: Record<string, unknown>): void {
    if (this.client.readyState === this.client.OPEN) this.client.send(JSON.stringify(message));
  }
}
