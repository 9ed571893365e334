import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';
import { parseJson } from './http.js';

export interface StreamMessage {
  readonly type: string;
  readonly [key: string]: any;
}

/** An upgrade the server refused: its HTTP status and JSON body. */
export class StreamRefused extends Error {
  constructor(
    readonly status: number,
    /** The refusal's JSON body; undefined when there was none or it was not JSON (a load balancer's error page). */
    readonly body: any,
  ) {
    super(`stream refused with ${status}`);
  }
}

/**
 * A live-transcription client as a voice-bot backend would write one: it sends audio frames
 * (paced like a microphone, or as fast as it can) and collects every message until the close.
 */
export class StreamClient {
  readonly messages: StreamMessage[] = [];
  readonly closed: Promise<{ code: number }>;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as StreamMessage);
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => socket.once('close', (code) => resolve({ code })));
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<StreamClient> {
    const socket = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new StreamClient(socket)));
      socket.once('unexpected-response', (_upgrade, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => reject(new StreamRefused(response.statusCode ?? 0, parseJson(body))));
      });
      socket.once('error', reject);
    });
  }

  /** Sends `audio` in frames of `frameBytes`; `realtime` paces them at `bytesPerSecond`. */
  async sendAudio(audio: Buffer, options: { frameBytes: number; bytesPerSecond?: number }): Promise<void> {
    for (let offset = 0; offset < audio.length; offset += options.frameBytes) {
      if (this.socket.readyState !== WebSocket.OPEN) return;
      const frame = audio.subarray(offset, offset + options.frameBytes);
      this.socket.send(frame);
      if (options.bytesPerSecond !== undefined) await delay((frame.length / options.bytesPerSecond) * 1000);
      else if (this.socket.bufferedAmount > 1 << 20) await delay(5);
    }
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Resolves with the first message (from `from` on) that `match` accepts. */
  waitFor(match: (message: StreamMessage) => boolean, timeoutMs = 60_000): Promise<StreamMessage> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.messages.find(match);
        if (found === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no such message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.type))}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  finals(): StreamMessage[] {
    return this.messages.filter((message) => message.type === 'transcription' && message.is_final === true);
  }
}
