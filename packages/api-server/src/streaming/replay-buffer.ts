/**
 * The audio of a stream since its last final, kept so that a session moved to another worker
 * can be replayed from there, with the moment each piece arrived (for the latency of the
 * messages that cover it). Positions are in samples from the stream's start; at most
 * `maxSamples` are kept (the oldest go first).
 */
export class ReplayBuffer {
  private chunks: Int16Array[] = [];
  /** When each chunk arrived (ms on the clock `append` was given), in step with `chunks`. */
  private arrivals: number[] = [];
  private held = 0;
  /** Stream position of the first sample held. */
  private first = 0;

  constructor(private readonly maxSamples: number) {}

  get start(): number {
    return this.first;
  }

  append(samples: Int16Array, arrivedAt: number): void {
    this.chunks.push(samples);
    this.arrivals.push(arrivedAt);
    this.held += samples.length;
    if (this.held > this.maxSamples) this.dropBefore(this.first + this.held - this.maxSamples);
  }

  /** Forgets everything before `position` (a final has covered it). */
  dropBefore(position: number): void {
    while (this.chunks.length > 0 && this.first < position) {
      const chunk = this.chunks[0]!;
      const drop = Math.min(chunk.length, position - this.first);
      if (drop === chunk.length) {
        this.chunks.shift();
        this.arrivals.shift();
      } else {
        this.chunks[0] = chunk.subarray(drop);
      }
      this.held -= drop;
      this.first += drop;
    }
    if (this.chunks.length === 0) this.first = Math.max(this.first, position);
  }

  /**
   * When the audio up to `position` had arrived: the arrival of the piece holding the sample just
   * before it (the newest piece for a position past the end); undefined once that is forgotten.
   */
  arrivalOf(position: number): number | undefined {
    let end = this.first + this.held;
    for (let index = this.chunks.length - 1; index >= 0; index--) {
      const start = end - this.chunks[index]!.length;
      if (position > start) return this.arrivals[index];
      end = start;
    }
    return undefined;
  }

  /** What is held, oldest first. */
  contents(): readonly Int16Array[] {
    return this.chunks;
  }
}
