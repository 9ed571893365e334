/**
 * The live sessions an engine holds at once (`streamCapacity`): a place is taken when a session
 * opens its live decoder and given back when the decoder is released.
 */
export class LivePlaces {
  private taken = 0;

  constructor(readonly capacity: number) {}

  /** `open(giveBack)` when a place is free; undefined when all are taken. */
  take<Decoder>(open: (giveBack: () => void) => Decoder): Decoder | undefined {
    if (this.taken >= this.capacity) return undefined;
    this.taken++;
    return open(() => this.taken--);
  }
}
