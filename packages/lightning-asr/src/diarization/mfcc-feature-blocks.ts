import meydaModule from 'meyda';
import { ENGINE_SAMPLE_RATE, type SpeakerEvidence } from '@stt/shared';
import type { SpeechSpan } from '../engine/sherpa-onnx/sherpa-onnx-silero-vad.js';

// Meyda is CommonJS whose types declare an ES default export: imported, the module is the object itself.
const Meyda = meydaModule as unknown as typeof meydaModule.default;

/** 32 ms analysis windows (Meyda needs a power of two) every 10 ms, the usual speech front end. */
const WINDOW_SAMPLES = 512;
const HOP_SAMPLES = ENGINE_SAMPLE_RATE / 100;
/** c0 (loudness) is left out: it says how far the speaker was from the microphone, not who spoke. */
const COEFFICIENTS = 13;
export const FEATURE_DIMENSIONS = COEFFICIENTS - 1;
/** Speech is cut into blocks this long: the finest grain at which the server assigns speakers. */
export const BLOCK_SECONDS = 0.5;
/** Frames this many dB under the segment's loudest are not the voice (see `quietFrameFloor`). */
const QUIET_FRAME_DB = 35;
/** A block needs this many frames to be worth a Gaussian; a shorter tail joins the block before. */
const MIN_BLOCK_FRAMES = 25;

/**
 * The default diarizer's evidence for one segment: its speech (as the VAD found it) cut into
 * blocks of `BLOCK_SECONDS`, each with the sufficient statistics of its MFCC frames, which the
 * server merges exactly over any run of blocks. Times are shifted by `offsetSeconds`.
 */
export function mfccFeatureBlocks(pcm: Int16Array, speech: readonly SpeechSpan[], offsetSeconds: number): SpeakerEvidence {
  Meyda.bufferSize = WINDOW_SAMPLES;
  Meyda.sampleRate = ENGINE_SAMPLE_RATE;
  Meyda.numberOfMFCCCoefficients = COEFFICIENTS;
  Meyda.windowingFunction = 'hamming';
  const blocks = [];
  const window = new Float32Array(WINDOW_SAMPLES);
  const floor = quietFrameFloor(pcm);
  for (const span of speech) {
    const first = Math.floor((span.start * ENGINE_SAMPLE_RATE) / HOP_SAMPLES);
    const last = Math.floor((span.end * ENGINE_SAMPLE_RATE - WINDOW_SAMPLES) / HOP_SAMPLES);
    const framesPerBlock = Math.round(BLOCK_SECONDS * 100);
    for (let blockStart = first; blockStart <= last; blockStart += framesPerBlock) {
      let blockEnd = Math.min(last + 1, blockStart + framesPerBlock);
      if (last + 1 - blockEnd < MIN_BLOCK_FRAMES) blockEnd = last + 1;
      if (blockEnd - blockStart < MIN_BLOCK_FRAMES) break;
      const stats = new BlockStatistics(FEATURE_DIMENSIONS);
      for (let frame = blockStart; frame < blockEnd; frame++) {
        const at = frame * HOP_SAMPLES;
        let energy = 0;
        for (let i = 0; i < WINDOW_SAMPLES; i++) {
          window[i] = (pcm[at + i] ?? 0) / 32768;
          energy += window[i]! * window[i]!;
        }
        if (energy / WINDOW_SAMPLES < floor) continue;
        const mfcc = Meyda.extract('mfcc', window) as number[] | null;
        if (mfcc !== null && mfcc.every(Number.isFinite)) stats.add(mfcc.slice(1));
      }
      if (stats.frames >= MIN_BLOCK_FRAMES) {
        blocks.push({
          start: round(offsetSeconds + (blockStart * HOP_SAMPLES) / ENGINE_SAMPLE_RATE),
          end: round(offsetSeconds + ((blockEnd - 1) * HOP_SAMPLES + WINDOW_SAMPLES) / ENGINE_SAMPLE_RATE),
          frames: stats.frames,
          sum: stats.sum,
          scatter: stats.scatter,
        });
      }
      blockStart = blockEnd - framesPerBlock; // the loop's step lands on blockEnd
    }
  }
  return { kind: 'feature-blocks', dimensions: FEATURE_DIMENSIONS, blocks };
}

/**
 * Frames quieter than this (mean square) are left out: the pauses inside speech and the tails
 * of words, whose spectra are the room's and the recorder's, not the voice's. Relative to the
 * segment's loudest frames, so a quiet recording keeps its speech.
 */
function quietFrameFloor(pcm: Int16Array): number {
  let peak = 0;
  for (let at = 0; at + WINDOW_SAMPLES <= pcm.length; at += HOP_SAMPLES * 4) {
    let energy = 0;
    for (let i = 0; i < WINDOW_SAMPLES; i++) energy += (pcm[at + i]! / 32768) ** 2;
    peak = Math.max(peak, energy / WINDOW_SAMPLES);
  }
  return peak * 10 ** (-QUIET_FRAME_DB / 10);
}

/** Count, sum and upper triangle (row by row) of the sum of outer products of feature vectors. */
class BlockStatistics {
  frames = 0;
  readonly sum: number[];
  readonly scatter: number[];

  constructor(private readonly dimensions: number) {
    this.sum = new Array<number>(dimensions).fill(0);
    this.scatter = new Array<number>((dimensions * (dimensions + 1)) / 2).fill(0);
  }

  add(vector: readonly number[]): void {
    this.frames++;
    let k = 0;
    for (let i = 0; i < this.dimensions; i++) {
      this.sum[i]! += vector[i]!;
      for (let j = i; j < this.dimensions; j++) this.scatter[k++]! += vector[i]! * vector[j]!;
    }
  }
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;
