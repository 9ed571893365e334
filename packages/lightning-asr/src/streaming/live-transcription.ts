import { ENGINE_SAMPLE_RATE, type WorkerStreamEvent, type WorkerStreamQuery } from '@stt/shared';
import type { LiveDecoder, Transcript } from '../engine/asr-engine.js';

/** Audio goes to the live decoder in pieces of at most 100 ms, so voice activity is tracked that finely. */
const PIECE_SAMPLES = 1600;
/** The live decoder reports silence this long after it began (its `-vad_postspeech`). */
const POSTSPEECH_SAMPLES = 1600;
/** Audio kept before speech begins, so the second pass hears the utterance's onset. */
const PRE_ROLL_SAMPLES = 8000;

/**
 * One live stream on a worker. Audio is decoded as it comes by the live decoder, which gives
 * interim words and voice activity; an utterance ends after `eou_timeout_ms` of silence (or on
 * `finalize` / close), and its final is a second, whole-utterance pass over its audio, which is
 * as accurate as the batch endpoint. Decoding steps run in order on one queue; a second pass
 * runs beside it (the next utterance is decoded meanwhile), and events leave in order.
 */
export class LiveTranscription {
  private queue: Promise<void> = Promise.resolve();
  private utterance: Int16Array[] = [];
  private utteranceSamples = 0;
  /** Stream position (samples) of the first sample in `utterance`. */
  private utteranceStart = 0;
  private received = 0;
  private inSpeech = false;
  /** Speech was heard in this utterance and speech_ended has not been reported for it. */
  private speaking = false;
  private heardSpeech = false;
  private silenceFrom: number | undefined;
  private lastPartial = '';
  /** The stream ended: queued steps are skipped, nobody waits for their results. */
  private stopped = false;
  private released = false;
  /** Events in the order the client must see them; a final waits here for its second pass. */
  private outbox: Promise<void> = Promise.resolve();
  private pendingFinals = 0;
  /** Samples received and not decoded yet: what a fast sender has queued. */
  pendingSamples = 0;

  /** Utterances ended whose final is not out yet: its second pass waits for a decoder, or runs. */
  get finalsPending(): number {
    return this.pendingFinals;
  }

  constructor(
    private readonly decoder: LiveDecoder,
    private readonly transcribe: (pcm: Int16Array) => Promise<Transcript>,
    private readonly options: WorkerStreamQuery,
    private readonly emit: (event: WorkerStreamEvent) => void,
  ) {}

  push(pcm: Int16Array): Promise<void> {
    this.pendingSamples += pcm.length;
    return this.enqueue(async () => {
      for (let offset = 0; offset < pcm.length && !this.stopped; offset += PIECE_SAMPLES) await this.decode(pcm.subarray(offset, offset + PIECE_SAMPLES));
      this.pendingSamples -= pcm.length;
    });
  }

  /** Ends the utterance now: one final, `from_finalize`, and the stream goes on. */
  finalize(): Promise<void> {
    return this.enqueue(() => this.endUtterance({ fromFinalize: true, isLast: false }));
  }

  /** Ends the stream: the last final (`is_last`) is out when this resolves; the decoder goes back to the pool. */
  async close(): Promise<void> {
    await this.enqueue(async () => {
      await this.endUtterance({ fromFinalize: true, isLast: true });
      await this.release();
    });
    await this.outbox;
  }

  /** The stream is gone: queued audio is dropped, no final, the decoder goes back after the piece being decoded. */
  abort(): Promise<void> {
    this.stopped = true;
    return this.queue.then(() => this.release());
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.stopped ? undefined : step()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async release(): Promise<void> {
    this.stopped = true;
    if (this.released) return;
    this.released = true;
    await this.decoder.release();
  }

  private async decode(piece: Int16Array): Promise<void> {
    await this.decoder.process(piece);
    this.utterance.push(piece);
    this.utteranceSamples += piece.length;
    this.received += piece.length;
    const inSpeech = this.decoder.inSpeech();
    if (inSpeech && !this.inSpeech) {
      this.silenceFrom = undefined;
      this.heardSpeech = true;
      if (!this.speaking && this.options.vad_events) this.send({ type: 'speech_started', timestamp: this.seconds(this.received - piece.length) });
      this.speaking = true;
    } else if (!inSpeech && this.inSpeech) {
      this.silenceFrom = Math.max(this.utteranceStart, this.received - POSTSPEECH_SAMPLES);
    }
    this.inSpeech = inSpeech;

    if (this.options.interim_results) {
      const text = this.decoder.partial();
      if (text !== '' && text !== this.lastPartial) {
        this.lastPartial = text;
        this.send({ type: 'partial', text, start: this.seconds(this.utteranceStart), end: this.seconds(this.received) });
      }
    }
    const silence = this.silenceFrom === undefined ? 0 : this.received - this.silenceFrom;
    if (this.speaking && silence * 1000 >= this.options.eou_timeout_ms * ENGINE_SAMPLE_RATE) {
      this.speaking = false;
      if (this.options.vad_events) this.send({ type: 'speech_ended', timestamp: this.seconds(this.silenceFrom!) });
      if (this.options.endpointing) await this.endUtterance({ fromFinalize: false, isLast: false });
    } else if (!this.heardSpeech) {
      this.dropLeadingSilence();
    }
  }

  private async endUtterance(how: { fromFinalize: boolean; isLast: boolean }): Promise<void> {
    const pcm = concat(this.utterance, this.utteranceSamples);
    const start = this.utteranceStart;
    this.utterance = [];
    this.utteranceSamples = 0;
    this.utteranceStart = this.received;
    this.inSpeech = false;
    this.speaking = false;
    this.heardSpeech = false;
    this.silenceFrom = undefined;
    this.lastPartial = '';
    if (!how.isLast) await this.decoder.nextUtterance();
    const secondPass = pcm.length > 0 ? this.transcribe(pcm) : Promise.resolve({ text: '', words: [] });
    const shift = this.seconds(start);
    const end = this.seconds(this.received);
    this.pendingFinals++;
    this.outbox = this.outbox
      .then(async () => {
        const { words } = await secondPass;
        this.emit({
          type: 'final',
          words: words.map((word) => ({ ...word, start: round(word.start + shift), end: round(word.end + shift) })),
          start: shift,
          end,
          from_finalize: how.fromFinalize,
          is_last: how.isLast,
        });
      })
      .catch(() => this.emit({ type: 'error', code: 'INTERNAL_ERROR', message: 'The utterance could not be transcribed.' }))
      .finally(() => this.pendingFinals--);
  }

  /** Queues an event behind any final still in its second pass; a stale interim is dropped instead. */
  private send(event: WorkerStreamEvent): void {
    if (event.type === 'partial' && this.pendingFinals > 0) return;
    this.outbox = this.outbox.then(() => this.emit(event));
  }

  /** Before any speech, keeps only the last PRE_ROLL of audio: silence must not pile up. */
  private dropLeadingSilence(): void {
    while (this.utterance.length > 1 && this.utteranceSamples - this.utterance[0]!.length >= PRE_ROLL_SAMPLES) {
      const dropped = this.utterance.shift()!;
      this.utteranceSamples -= dropped.length;
      this.utteranceStart += dropped.length;
    }
  }

  private seconds(samples: number): number {
    return round(this.options.offset_s + samples / ENGINE_SAMPLE_RATE);
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function concat(pieces: readonly Int16Array[], total: number): Int16Array {
  const pcm = new Int16Array(total);
  let offset = 0;
  for (const piece of pieces) {
    pcm.set(piece, offset);
    offset += piece.length;
  }
  return pcm;
}
