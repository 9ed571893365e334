export interface SegmenterOptions {
  readonly sampleRate: number;
  /** Audio up to this long stays one segment, decoded whole (exactly what pocketsphinx_batch does). */
  readonly maxSegmentSeconds: number;
  /** A cut never leaves a segment shorter than this (short segments lose language-model context). */
  readonly minSegmentSeconds: number;
}

export interface PcmSegment {
  readonly pcm: Int16Array;
  /** Seconds from the start of the audio. */
  readonly offsetSeconds: number;
}

/** Energy is judged per 10 ms frame, PocketSphinx's own frame rate. */
const FRAME_SECONDS = 0.01;

/**
 * Splits a stream of 16-bit PCM into segments of at most `maxSegmentSeconds`, cutting in the
 * middle of the longest quiet stretch it can find, so no word is cut and each segment can be
 * decoded on its own, on any worker, in parallel. Holds at most one segment in memory.
 */
export class PcmSegmenter {
  private pending: Int16Array[] = [];
  private pendingSamples = 0;
  private emittedSamples = 0;
  private readonly frame: number;
  private readonly maxSamples: number;
  private readonly minSamples: number;

  constructor(private readonly options: SegmenterOptions) {
    this.frame = Math.round(options.sampleRate * FRAME_SECONDS);
    this.maxSamples = Math.round(options.sampleRate * options.maxSegmentSeconds);
    this.minSamples = Math.round(options.sampleRate * options.minSegmentSeconds);
  }

  /** Adds audio; returns the segments that are now complete. */
  push(pcm: Int16Array): PcmSegment[] {
    if (pcm.length > 0) {
      this.pending.push(pcm);
      this.pendingSamples += pcm.length;
    }
    const segments: PcmSegment[] = [];
    while (this.pendingSamples > this.maxSamples) {
      const window = this.take(this.maxSamples);
      segments.push(this.emit(window.subarray(0, this.bestCut(window))));
    }
    return segments;
  }

  /** The rest of the audio as a last segment (none when nothing is left). */
  end(): PcmSegment[] {
    if (this.pendingSamples === 0) return [];
    return [this.emit(this.take(this.pendingSamples))];
  }

  /** Seconds of audio pushed so far. */
  get durationSeconds(): number {
    return (this.emittedSamples + this.pendingSamples) / this.options.sampleRate;
  }

  /** A copy of the first `count` pending samples as one array. */
  private take(count: number): Int16Array {
    const out = new Int16Array(count);
    let filled = 0;
    for (const piece of this.pending) {
      if (filled >= count) break;
      const part = piece.subarray(0, count - filled);
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  private emit(pcm: Int16Array): PcmSegment {
    const segment = { pcm, offsetSeconds: this.emittedSamples / this.options.sampleRate };
    this.drop(pcm.length);
    this.emittedSamples += pcm.length;
    return segment;
  }

  private drop(count: number): void {
    let left = count;
    while (left > 0 && this.pending.length > 0) {
      const head = this.pending[0]!;
      if (head.length <= left) {
        this.pending.shift();
        left -= head.length;
      } else {
        this.pending[0] = head.subarray(left);
        left = 0;
      }
    }
    this.pendingSamples -= count;
  }

  /**
   * Where to cut `window` (sample index): the middle of the longest run of quiet frames after
   * `minSegmentSeconds`, quiet meaning within 6 dB of the quietest frame there; without one,
   * the quietest frame.
   */
  private bestCut(window: Int16Array): number {
    const firstFrame = Math.floor(this.minSamples / this.frame);
    const frames = Math.floor(window.length / this.frame);
    const energies: number[] = [];
    for (let f = firstFrame; f < frames; f++) energies.push(frameEnergy(window, f * this.frame, this.frame));
    if (energies.length === 0) return window.length;
    const floor = Math.min(...energies);
    const quiet = floor * 4; // +6 dB in energy
    let bestStart = 0;
    let bestLength = 0;
    let runStart = -1;
    for (let i = 0; i <= energies.length; i++) {
      const isQuiet = i < energies.length && energies[i]! <= quiet;
      if (isQuiet && runStart < 0) runStart = i;
      if (!isQuiet && runStart >= 0) {
        if (i - runStart > bestLength) {
          bestLength = i - runStart;
          bestStart = runStart;
        }
        runStart = -1;
      }
    }
    const middle = firstFrame + bestStart + Math.floor(bestLength / 2);
    return Math.max(this.frame, middle * this.frame);
  }
}

function frameEnergy(pcm: Int16Array, start: number, length: number): number {
  let sum = 0;
  for (let i = start; i < start + length; i++) sum += pcm[i]! * pcm[i]!;
  // +1 keeps digital silence comparable (no zero floor that only exact zeros can match).
  return sum / length + 1;
}
