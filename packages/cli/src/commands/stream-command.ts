import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { LiveStream } from '@stt/client';
import { realtimeFrames } from '../audio/realtime-pacer.js';
import { pcmFromWav } from '../audio/wav-pcm.js';
import { clientFor, connectionFrom } from '../connection.js';
import { positiveInteger } from '../options.js';
import { LiveLine } from '../output/live-line.js';
import { clock } from '../output/transcript-text.js';

type Encoding = 'linear16' | 'mulaw' | 'alaw';

interface StreamFlags {
  readonly sampleRate: number;
  readonly encoding: Encoding;
  readonly realtime: boolean;
  readonly language?: string;
  readonly punctuate: boolean;
  readonly interim: boolean;
  readonly timestamps: boolean;
  readonly url?: string;
  readonly apiKey?: string;
}

export function streamCommand(): Command {
  return new Command('stream')
    .description('Live transcription of a file (paced as if spoken) or of standard input ("-", e.g. from a microphone).')
    .argument('<file>', 'a 16-bit mono WAV, raw audio (see --encoding, --sample-rate), or - for standard input')
    .option('-r, --sample-rate <hz>', 'sample rate of raw audio (a WAV says its own)', positiveInteger, 16000)
    .addOption(new Option('-e, --encoding <encoding>', 'encoding of raw audio').choices(['linear16', 'mulaw', 'alaw']).default('linear16'))
    .option('--no-realtime', 'send a file as fast as the server takes it, not paced in real time')
    .option('-l, --language <code>', 'language (server default: en)')
    .option('--no-punctuate', 'plain lower-case words')
    .option('--no-interim', 'finals only')
    .option('-t, --timestamps', 'print each final with its [start → end]', false)
    .action(async (file: string, _flags: StreamFlags, command: Command) => {
      const flags = command.optsWithGlobals<StreamFlags>();
      await streamAudio(file, flags);
    });
}

async function streamAudio(file: string, flags: StreamFlags): Promise<void> {
  const fromFile = file === '-' ? undefined : readFileSync(file);
  const wav = fromFile === undefined ? undefined : pcmFromWav(fromFile);
  const encoding: Encoding = wav !== undefined ? 'linear16' : flags.encoding;
  const sampleRate = wav?.sampleRate ?? flags.sampleRate;
  const stream = await clientFor(connectionFrom(flags)).stream({
    encoding,
    sampleRate,
    punctuate: flags.punctuate,
    interimResults: flags.interim,
    ...(flags.language !== undefined ? { language: flags.language } : {}),
  });
  // Ctrl-C ends the audio, not the session: the finals of what was sent still arrive.
  process.once('SIGINT', () => stream.end());
  const sending = sendAudio(stream, fromFile === undefined ? process.stdin : realtimeFrames(wav?.data ?? fromFile, sampleRate * (encoding === 'linear16' ? 2 : 1), 100, flags.realtime));
  const line = new LiveLine();
  try {
    for await (const message of stream) {
      if (message.type !== 'transcription') continue;
      if (!message.is_final) line.interim(message.transcript);
      else line.final(flags.timestamps && message.transcript !== '' ? `[${clock(message.start)} → ${clock(message.end)}] ${message.transcript}` : message.transcript);
    }
  } finally {
    line.clear();
    stream.abort();
    if (fromFile === undefined) process.stdin.destroy();
  }
  await sending;
}

/** Sends every frame (waiting while the socket is full), then asks for the last final. */
async function sendAudio(stream: LiveStream, frames: AsyncIterable<Buffer | Uint8Array>): Promise<void> {
  try {
    for await (const frame of frames) await stream.send(frame);
  } catch {
    // The session ended first; the message loop reports why.
    return;
  }
  stream.end();
}
