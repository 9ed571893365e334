/**
 * A fixed set of loaded decoders (native contexts), each used by one decode at a time: `use`
 * waits for a free one, in arrival order, and gives it back when the decode settles.
 */
export class DecoderPool<Decoder> {
  private readonly idle: Decoder[];
  private readonly waiting: ((decoder: Decoder) => void)[] = [];

  constructor(readonly decoders: readonly Decoder[]) {
    this.idle = [...decoders];
  }

  get size(): number {
    return this.decoders.length;
  }

  async use<T>(decode: (decoder: Decoder) => Promise<T>): Promise<T> {
    const decoder = await this.acquire();
    try {
      return await decode(decoder);
    } finally {
      this.release(decoder);
    }
  }

  private acquire(): Promise<Decoder> {
    const decoder = this.idle.pop();
    if (decoder !== undefined) return Promise.resolve(decoder);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(decoder: Decoder): void {
    const next = this.waiting.shift();
    if (next) next(decoder);
    else this.idle.push(decoder);
  }
}
