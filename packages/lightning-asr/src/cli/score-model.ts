#!/usr/bin/env node
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { createLogger, ENGINE_SAMPLE_RATE, pcmFromBytes, runMain } from '@stt/shared';
import { loadConfig } from '../config.js';
import { loadConfiguredEngine } from '../engine/load-configured-engine.js';
import { wordErrors } from '../scoring/word-error-rate.js';

const USAGE = 'usage: lightning-asr-score AUDIO REFERENCE.txt [AUDIO REFERENCE.txt ...]  (the engine and model come from the worker\'s variables: ASR_ENGINE, MODEL_URL or MODEL_PATH, ...)';

/**
 * Scores the configured engine and model on the operator's own recordings: each audio file
 * (any format ffmpeg reads) is decoded whole and compared with its reference transcript; prints
 * each file's word error rate and the word-weighted total. The model is fetched, checked and
 * loaded exactly as the worker does it, so what is scored is what would be served.
 */
runMain('lightning-asr-score', async () => {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.length % 2 !== 0) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const config = loadConfig();
  // The worker's log lines (download, model check) go to stderr; the scores alone to stdout.
  const engine = await loadConfiguredEngine(config, createLogger('lightning-asr-score', config.LOG_LEVEL, {}, process.stderr));
  let errors = 0;
  let words = 0;
  console.log(`engine ${engine.name}, model ${engine.model}`);
  console.log('| file | words | errors | WER | hypothesis |');
  console.log('|---|---:|---:|---:|---|');
  for (let i = 0; i < args.length; i += 2) {
    const [audio, referenceFile] = [args[i]!, args[i + 1]!];
    const reference = await readFile(referenceFile, 'utf8');
    const { text } = await engine.transcribe(await decodeToPcm(audio));
    const counted = wordErrors(reference, text);
    errors += counted.errors;
    words += counted.words;
    console.log(`| ${basename(audio)} | ${counted.words} | ${counted.errors} | ${rate(counted.errors, counted.words)} | ${text} |`);
  }
  console.log(`WER ${rate(errors, words)} (${errors} errors in ${words} reference words, ${args.length / 2} files)`);
  engine.close();
  process.exit(0);
});

/** Any audio file as 16-bit mono PCM at the engine rate, through Debian's ffmpeg. */
async function decodeToPcm(path: string): Promise<Int16Array> {
  const { stdout } = await promisify(execFile)('ffmpeg', ['-v', 'error', '-i', path, '-f', 's16le', '-ac', '1', '-ar', String(ENGINE_SAMPLE_RATE), '-'], {
    encoding: 'buffer',
    maxBuffer: 1 << 30,
  });
  return pcmFromBytes(stdout);
}

function rate(errors: number, words: number): string {
  return words === 0 ? 'n/a' : (errors / words).toFixed(3);
}
