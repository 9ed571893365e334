/**
 * The audio of a stream since its last final, kept so that a session moved to another worker
 * can be replayed from there. Positions are in samples from the stream's start; at most
 * `maxSamples` are kept (the oldest go first).
 */
export class ReplayBuffer {
  private chunks: Int16Array[] = [];
  private held = 0;
  /** Stream position of the first sample held. */
  private first = 0;

  constructor(private readonly maxSamples: number) {}

  get start(): number {
    return this.first;
  }

  append(samples: Int16Array): void {
    this.chunks.push(samples);
    this.held += samples.length;
    if (this.held > this.maxSamples) this.dropBefore(this.first + this.held - this.maxSamples);
  }

  /** Forgets everything before `position` (a final has covered it). */
  dropBefore(position: number): void {
    while (this.chunks.length > 0 && this.first < position) {
      const chunk = this.chunks[0]!;
      const drop = Math.min(chunk.length, position - this.first);
      if (drop === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(drop);
      this.held -= drop;
      this.first += drop;
    }
    if (this.chunks.length === 0) this.first = Math.max(this.first, position);
  }

  /** What is held, oldest first. */
  contents(): readonly Int16Array[] {
    return this.chunks;
  }
}
