import type { Transcript, TranscriptFormat, Word } from '@stt/client';

/** The file extension each output format is written with. */
export const EXTENSIONS: Readonly<Record<TranscriptFormat, string>> = { json: 'json', text: 'txt', srt: 'srt', vtt: 'vtt' };

/** Words per line of timed text when no sentence ends sooner. */
const WORDS_PER_LINE = 12;

/** A JSON transcript as the CLI prints it: pretty JSON, or text with one `[start → end]` line per sentence. */
export function renderTranscript(transcript: Transcript, format: 'json' | 'text', timestamps: boolean): string {
  if (format === 'json') return `${JSON.stringify(transcript, null, 2)}\n`;
  if (!timestamps || transcript.words === undefined || transcript.words.length === 0) return `${transcript.text}\n`;
  return timedLines(transcript.words).join('\n') + '\n';
}

/** Lines of words, each ending at a sentence's end or after WORDS_PER_LINE words. */
function timedLines(words: readonly Word[]): string[] {
  const lines: string[] = [];
  let line: Word[] = [];
  const flush = (): void => {
    if (line.length === 0) return;
    lines.push(`[${clock(line[0]!.start)} → ${clock(line.at(-1)!.end)}] ${line.map((word) => word.word).join(' ')}`);
    line = [];
  };
  for (const word of words) {
    line.push(word);
    if (/[.?!]$/.test(word.word) || line.length >= WORDS_PER_LINE) flush();
  }
  flush();
  return lines;
}

/** Seconds as `m:ss.cc`. */
export function clock(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${(seconds - minutes * 60).toFixed(2).padStart(5, '0')}`;
}
