/**
 * Streaming band-limited resampler: each output sample is the input convolved with a
 * Kaiser-windowed sinc low-pass centred on the output's exact position in the input. The cut-off
 * sits below the lower of the two Nyquist frequencies, so downsampling (44.1 kHz → 16 kHz) does not
 * fold the top of the spectrum back into speech as linear interpolation does.
 *
 * Output n sits at input position n·inputRate/outputRate exactly (no drift, no delay): input sample
 * 0 and output sample 0 are the same instant, and N inputs give ceil(N·outputRate/inputRate) outputs.
 */
export class SincResampler {
  /** The rates' ratio in lowest terms: each output advances `step` / `phases` input samples. */
  private readonly step: number;
  private readonly phases: number;
  /** Taps each side of an output's position: enough for ZERO_CROSSINGS lobes of the sinc. */
  private readonly halfTaps: number;
  /** Filter rows for `bankRows` + 1 evenly spaced fractional positions (the last is 1.0). */
  private readonly bank: Float32Array;
  private readonly bankRows: number;

  /** Input not consumed yet; `history[0]` is input sample `historyStart` (negative: zero padding). */
  private history: Float32Array;
  private historyLength: number;
  private historyStart: number;
  private inputCount = 0;
  /** Next output's position in the input: whole samples plus `phase` / `phases`. */
  private position = 0;
  private phase = 0;

  constructor(inputRate: number, outputRate: number) {
    if (!Number.isInteger(inputRate) || !Number.isInteger(outputRate) || inputRate <= 0 || outputRate <= 0) {
      throw new RangeError('Sample rates must be positive integers.');
    }
    const divisor = gcd(inputRate, outputRate);
    this.step = inputRate / divisor;
    this.phases = outputRate / divisor;
    const cutoff = Math.min(1, outputRate / inputRate) * PASSBAND;
    this.halfTaps = Math.ceil(ZERO_CROSSINGS / cutoff);
    // One row per distinct phase when that is affordable (every common rate); for odd rates with
    // thousands of phases, rows this close together place samples within 1/(2·rows) of a sample.
    this.bankRows = Math.min(this.phases, Math.floor(MAX_BANK_LENGTH / (2 * this.halfTaps)));
    this.bank = buildFilterBank(this.bankRows, this.halfTaps, cutoff);
    // Zero padding before the first sample, so output 0 has the full filter's worth of "past".
    this.historyStart = 1 - this.halfTaps;
    this.historyLength = this.halfTaps - 1;
    this.history = new Float32Array(Math.max(4096, 4 * this.halfTaps));
  }

  /** Resamples the next input; returns every output whose filter window the input now covers. */
  push(input: Float32Array): Float32Array {
    this.append(input);
    this.inputCount += input.length;
    return this.produce(this.historyStart + this.historyLength - 1 - this.halfTaps);
  }

  /** The outputs left at the end of the input, computed as if the input were followed by silence. */
  flush(): Float32Array {
    this.append(new Float32Array(this.halfTaps));
    return this.produce(this.inputCount - 1);
  }

  /** Outputs at every position up to whole input sample `lastPosition`. */
  private produce(lastPosition: number): Float32Array {
    const { history, bank, step, phases, bankRows, halfTaps } = this;
    const taps = 2 * halfTaps;
    let { position, phase } = this;
    const count = Math.max(0, Math.floor(((lastPosition + 1 - position) * phases - phase - 1) / step) + 1);
    const output = new Float32Array(count);
    for (let n = 0; n < count; n++) {
      const row = Math.round((phase * bankRows) / phases) * taps;
      const first = position - halfTaps + 1 - this.historyStart;
      let sum = 0;
      for (let tap = 0; tap < taps; tap++) sum += history[first + tap]! * bank[row + tap]!;
      output[n] = sum;
      phase += step;
      position += Math.floor(phase / phases);
      phase %= phases;
    }
    this.position = position;
    this.phase = phase;
    this.discardBefore(position - halfTaps + 1);
    return output;
  }

  private append(input: Float32Array): void {
    const needed = this.historyLength + input.length;
    if (needed > this.history.length) {
      const grown = new Float32Array(Math.max(needed, 2 * this.history.length));
      grown.set(this.history.subarray(0, this.historyLength));
      this.history = grown;
    }
    this.history.set(input, this.historyLength);
    this.historyLength = needed;
  }

  private discardBefore(sample: number): void {
    const drop = Math.min(this.historyLength, Math.max(0, sample - this.historyStart));
    this.history.copyWithin(0, drop, this.historyLength);
    this.historyLength -= drop;
    this.historyStart += drop;
  }
}

/** Sinc lobes each side: sets the steepness of the transition band (and the cost per sample). */
const ZERO_CROSSINGS = 16;
/** Cut-off as a fraction of the lower Nyquist frequency: the transition band ends just below it. */
const PASSBAND = 0.9;
/** Kaiser window shape: ≈ 80 dB stop-band attenuation. */
const KAISER_BETA = 8;
/** Floats in one filter bank (1 MiB of memory at most per decode). */
const MAX_BANK_LENGTH = 1 << 18;

/**
 * Row r holds the taps for an output at fractional position r/rows past input sample i, applied to
 * inputs i − halfTaps + 1 … i + halfTaps. Each row is normalised to a gain of exactly 1 at DC.
 */
function buildFilterBank(rows: number, halfTaps: number, cutoff: number): Float32Array {
  const taps = 2 * halfTaps;
  const bank = new Float32Array((rows + 1) * taps);
  const windowNorm = besselI0(KAISER_BETA);
  for (let row = 0; row <= rows; row++) {
    const fraction = row / rows;
    let gain = 0;
    for (let tap = 0; tap < taps; tap++) {
      const distance = fraction + halfTaps - 1 - tap;
      const x = distance / halfTaps;
      const window = Math.abs(x) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / windowNorm;
      const value = cutoff * sinc(cutoff * distance) * window;
      bank[row * taps + tap] = value;
      gain += value;
    }
    for (let tap = 0; tap < taps; tap++) bank[row * taps + tap] = bank[row * taps + tap]! / gain;
  }
  return bank;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const angle = Math.PI * x;
  return Math.sin(angle) / angle;
}

/** Modified Bessel function of the first kind, order 0, by its power series (converges fast for the window's arguments). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const quarterSquare = (x * x) / 4;
  for (let k = 1; term > sum * 1e-12; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
