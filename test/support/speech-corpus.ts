import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { setWer, wordErrors } from '../../packages/lightning-asr/src/scoring/word-error-rate.js';

/** Debian's pocketsphinx-testdata: real recordings with reference transcripts. */
export const TESTDATA = '/usr/share/pocketsphinx/test/data';
export const LIBRIVOX = join(TESTDATA, 'librivox');
export const GOFORWARD_RAW = join(TESTDATA, 'goforward.raw');
const MODEL = '/usr/share/pocketsphinx/model/en-us';

export interface Clip {
  readonly id: string;
  readonly wav: string;
  readonly reference: string;
}

/** The five LibriVox clips (16 kHz mono WAV) with their reference words. */
export function librivoxClips(): Clip[] {
  const references = readFileSync(join(LIBRIVOX, 'transcription'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => /^<s> (.*) <\/s> \((.*)\)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null);
  return references.map(([, text, id]) => ({ id: id!, wav: join(LIBRIVOX, `${id}.wav`), reference: text! }));
}

/**
 * PocketSphinx's own batch decoder on the clips, as the baseline. It is given headerless copies,
 * since `-adcin yes` would decode a WAV header as audio.
 */
export function pocketsphinxBatch(clips: readonly Clip[]): Map<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'stt-psbatch-'));
  for (const clip of clips) writeFileSync(join(dir, `${clip.id}.raw`), readFileSync(clip.wav).subarray(44));
  writeFileSync(join(dir, 'ctl'), `${clips.map((clip) => clip.id).join('\n')}\n`);
  execFileSync('pocketsphinx_batch', [
    '-adcin', 'yes', '-cepdir', dir, '-cepext', '.raw', '-ctl', join(dir, 'ctl'),
    '-hmm', join(MODEL, 'en-us'), '-lm', join(MODEL, 'en-us.lm.bin'), '-dict', join(MODEL, 'cmudict-en-us.dict'),
    '-hyp', join(dir, 'hyp'), '-logfn', '/dev/null',
  ]);
  const hypotheses = new Map<string, string>();
  for (const line of readFileSync(join(dir, 'hyp'), 'utf8').trim().split('\n')) {
    const match = /^(.*?) ?\((\S+) -?\d+\)$/.exec(line);
    if (match) hypotheses.set(match[2]!, match[1]!);
  }
  return hypotheses;
}

/** A WAV of `goforward.raw` ("go forward ten meters"), made with sox. */
export function goforwardWav(dir: string): string {
  const out = join(dir, 'goforward.wav');
  execFileSync('sox', ['-t', 'raw', '-r', '16000', '-e', 'signed', '-b', '16', '-c', '1', GOFORWARD_RAW, out]);
  return out;
}

/** `source` converted by ffmpeg (format from the extension, plus any extra arguments). */
export function convert(source: string, out: string, ...args: string[]): string {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', source, ...args, out]);
  return out;
}

/** The five LibriVox clips back to back, as one WAV (~25 s). */
export function concatenatedLibrivox(dir: string, times = 1): { wav: string; reference: string } {
  const clips = librivoxClips();
  const list = join(dir, 'concat.txt');
  const entries: string[] = [];
  for (let i = 0; i < times; i++) for (const clip of clips) entries.push(`file '${clip.wav}'`);
  writeFileSync(list, `${entries.join('\n')}\n`);
  const wav = join(dir, `librivox-x${times}.wav`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', wav]);
  const reference = Array.from({ length: times }, () => clips.map((clip) => clip.reference).join(' ')).join(' ');
  return { wav, reference };
}

/**
 * LibriVox clips (the first `count`) as one 16 kHz 16-bit mono recording with `pauseS` of
 * silence after each, as raw PCM for streaming and as a WAV for the batch endpoint.
 */
export function clipsWithPauses(dir: string, count: number, pauseS = 1.2): { pcm: Buffer; wav: string; reference: string } {
  const clips = librivoxClips().slice(0, count);
  const pause = Buffer.alloc(Math.round(pauseS * 16000) * 2);
  const parts = clips.flatMap((clip) => [
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', clip.wav, '-f', 's16le', '-ar', '16000', '-ac', '1', '-']),
    pause,
  ]);
  const pcm = Buffer.concat(parts);
  const wav = join(dir, `pauses-${count}.wav`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 's16le', '-ar', '16000', '-ac', '1', '-i', '-', wav], { input: pcm });
  return { pcm, wav, reference: clips.map((clip) => clip.reference).join(' ') };
}
