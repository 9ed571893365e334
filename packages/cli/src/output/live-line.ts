/**
 * The live transcript on a terminal: the interim result rewritten in place on the last line,
 * each final printed on its own. Off a terminal only finals are written, one per line.
 */
export class LiveLine {
  private showing = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stdout) {}

  interim(text: string): void {
    if (!this.stream.isTTY) return;
    const width = Math.max(10, (this.stream.columns ?? 80) - 1);
    // Only the end of a long interim fits; it is the part that is changing.
    const shown = text.length > width ? `…${text.slice(text.length - width + 1)}` : text;
    this.stream.write(`\r\x1b[2K\x1b[2m${shown}\x1b[0m`);
    this.showing = true;
  }

  final(text: string): void {
    this.clear();
    if (text.trim() !== '') this.stream.write(`${text}\n`);
  }

  clear(): void {
    if (this.showing) this.stream.write('\r\x1b[2K');
    this.showing = false;
  }
}
