import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Command, Option } from 'commander';
import type { SttClient, TranscriptFormat } from '@stt/client';
import { describeFailure } from '../cli-failure.js';
import { clientFor, connectionFrom } from '../connection.js';
import { positiveInteger } from '../options.js';
import { TranscribeProgress } from '../output/transcribe-progress.js';
import { EXTENSIONS, renderTranscript } from '../output/transcript-text.js';

interface TranscribeFlags {
  readonly format: TranscriptFormat;
  readonly timestamps: boolean;
  readonly out?: string;
  readonly language?: string;
  readonly model?: string;
  readonly punctuate: boolean;
  readonly concurrency: number;
  readonly url?: string;
  readonly apiKey?: string;
}

export function transcribeCommand(): Command {
  return new Command('transcribe')
    .description('Transcribe audio files (WAV, MP3, FLAC, OGG, M4A), several at once.')
    .argument('<files...>', 'audio files')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'srt', 'vtt']).default('text'))
    .option('-t, --timestamps', 'word timings: [start → end] lines in text, "words" in JSON', false)
    .option('-o, --out <dir>', 'write each transcript to DIR/<file>.<txt|json|srt|vtt> instead of printing it')
    .option('-l, --language <code>', 'language (server default: en)')
    .option('-m, --model <name>', 'a model the workers serve')
    .option('--no-punctuate', 'plain lower-case words')
    .option('-c, --concurrency <n>', 'files transcribed at the same time', positiveInteger, 2)
    .action(async (files: string[], _flags: TranscribeFlags, command: Command) => {
      const flags = command.optsWithGlobals<TranscribeFlags>();
      process.exitCode = (await transcribeAll(clientFor(connectionFrom(flags)), files, flags)) ? 0 : 1;
    });
}

/** Transcribes `files`, `concurrency` at a time; true when every one succeeded. */
async function transcribeAll(client: SttClient, files: readonly string[], flags: TranscribeFlags): Promise<boolean> {
  const sizes = files.map((file) => statSync(file).size);
  if (flags.out !== undefined) mkdirSync(flags.out, { recursive: true });
  const progress = new TranscribeProgress(files.map((file, index) => ({ name: basename(file), size: sizes[index]! })));
  const outputs: (string | undefined)[] = [];
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < files.length; index = next++) {
      const file = files[index]!;
      try {
        const text = await transcribeOne(client, file, flags, (loaded) => {
          progress.uploaded(index, loaded);
          if (loaded === sizes[index]) progress.transcribing(index);
        });
        if (flags.out === undefined) outputs[index] = text;
        else writeFileSync(outputPath(flags.out, file, flags.format), text);
        progress.done(index, flags.out === undefined ? 'done' : `→ ${outputPath(flags.out, file, flags.format)}`);
      } catch (error) {
        failures.push(`${file}: ${describeFailure(error)}`);
        progress.done(index, 'failed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(flags.concurrency, files.length) }, worker));
  progress.stop();
  files.forEach((file, index) => {
    const text = outputs[index];
    if (text === undefined) return;
    if (files.length > 1) process.stdout.write(`==> ${file} <==\n`);
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  });
  for (const failure of failures) process.stderr.write(`stt: ${failure}\n`);
  return failures.length === 0;
}

/** One file's output: the server's text for subtitles, else the JSON transcript rendered here. */
async function transcribeOne(client: SttClient, file: string, flags: TranscribeFlags, onUploaded: (loaded: number) => void): Promise<string> {
  const options = {
    ...(flags.language !== undefined ? { language: flags.language } : {}),
    ...(flags.model !== undefined ? { model: flags.model } : {}),
    punctuate: flags.punctuate,
    onUploadProgress: ({ loaded }: { loaded: number }) => onUploaded(loaded),
  };
  if (flags.format === 'srt' || flags.format === 'vtt') return client.transcribe(file, { ...options, format: flags.format });
  // Plain text with timings is made here from the words; without, the JSON's text is the text.
  const transcript = await client.transcribe(file, { ...options, timestamps: flags.timestamps });
  return renderTranscript(transcript, flags.format, flags.timestamps);
}

function outputPath(dir: string, file: string, format: TranscriptFormat): string {
  return join(dir, `${basename(file, extname(file))}.${EXTENSIONS[format]}`);
}
