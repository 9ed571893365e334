import { MultiBar, Presets, type SingleBar } from 'cli-progress';

export interface ProgressFile {
  readonly name: string;
  readonly size: number;
}

/**
 * The bars of `stt transcribe` on a terminal: one for all files (files finished of all), and one
 * per file (bytes uploaded, then what it is doing). Off a terminal it stays silent: the results
 * and errors say the rest.
 */
export class TranscribeProgress {
  private readonly bars: MultiBar | undefined;
  private readonly overall: SingleBar | undefined;
  private readonly files: (SingleBar | undefined)[];
  private finished = 0;

  constructor(files: readonly ProgressFile[], stream: NodeJS.WriteStream = process.stderr) {
    if (!stream.isTTY) {
      this.files = files.map(() => undefined);
      return;
    }
    const width = Math.max(...files.map((file) => file.name.length), 'all files'.length);
    this.bars = new MultiBar({ stream, hideCursor: true, autopadding: true, barsize: 30, format: `{name} {bar} {percentage}% | {state}`, clearOnComplete: false }, Presets.shades_classic);
    this.overall = this.bars.create(files.length, 0, { name: 'all files'.padEnd(width), state: `0/${files.length} files` });
    this.files = files.map((file) => this.bars!.create(Math.max(file.size, 1), 0, { name: file.name.padEnd(width), state: 'waiting' }));
  }

  uploaded(index: number, loaded: number): void {
    this.files[index]?.update(loaded, { state: 'uploading' });
  }

  transcribing(index: number): void {
    this.files[index]?.update({ state: 'transcribing' });
  }

  /** The file is done: `state` says how (its output file, or the error's code). */
  done(index: number, state: string): void {
    const bar = this.files[index];
    bar?.update(bar.getTotal(), { state });
    this.finished++;
    this.overall?.update(this.finished, { state: `${this.finished}/${this.overall.getTotal()} files` });
  }

  stop(): void {
    this.bars?.stop();
  }
}
