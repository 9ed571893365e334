import { spawn, type ChildProcess } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { ApiError, Int16Assembler } from '@stt/shared';
import { ENGINE_SAMPLE_RATE } from '@stt/shared';

/** What ffmpeg reads: the upload's bytes through its stdin, or a file (for containers that need seeking). */
export type FfmpegInput = { readonly bytes: AsyncIterable<Uint8Array> } | { readonly path: string };

export interface FfmpegDecodeOptions {
  /** Kills ffmpeg; the generator then throws the signal's reason. */
  readonly signal?: AbortSignal;
  /** Receives ffmpeg's own error output when it refuses a file: for the server's log, never for the client. */
  readonly onDecoderError?: (detail: string) => void;
}

/** How much of ffmpeg's error output is kept for the log: its last lines say what went wrong. */
const STDERR_TAIL_LENGTH = 2000;

/**
 * Decodes any container ffmpeg knows to 16 kHz mono 16-bit PCM, streamed: the upload is piped in
 * as it arrives and samples are yielded as ffmpeg writes them, with backpressure both ways. ffmpeg
 * never outlives the generator: it is killed on abort, when the consumer stops early, and on any
 * failure, and the generator only finishes once it has exited.
 */
export async function* decodeWithFfmpeg(input: FfmpegInput, options: FfmpegDecodeOptions = {}): AsyncGenerator<Int16Array> {
  const { signal } = options;
  signal?.throwIfAborted();
  const upload = 'bytes' in input ? input.bytes : undefined;
  const child = spawn('ffmpeg', ffmpegArguments('path' in input ? input.path : 'pipe:0'), {
    stdio: [upload ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const exit = exitOf(child);
  const stderr = stderrTail(child);
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', kill, { once: true });

  let inputError: unknown;
  if (upload && child.stdin) {
    // A failing upload must fail the decode, not look like the end of a shorter file.
    const watchedUpload = async function* (): AsyncGenerator<Uint8Array> {
      try {
        yield* upload;
      } catch (error) {
        inputError = error;
        kill();
        throw error;
      }
    };
    // EPIPE when ffmpeg exits before reading everything (a broken file, or killed): ffmpeg's exit
    // status tells what happened, so neither the stream's error nor the rejection carries anything.
    child.stdin.on('error', () => undefined);
    pipeline(watchedUpload(), child.stdin).catch(() => undefined);
  }

  try {
    const assembler = new Int16Assembler();
    let sampleCount = 0;
    for await (const chunk of child.stdout!) {
      const samples = assembler.push(chunk as Buffer);
      sampleCount += samples.length;
      if (samples.length > 0) yield samples;
    }
    const status = await exit;
    signal?.throwIfAborted();
    if (inputError !== undefined) throw inputError;
    if (status.error) throw new Error(`ffmpeg could not be started: ${status.error.message}`);
    if (status.code !== 0 || sampleCount === 0) {
      options.onDecoderError?.(stderr() || `ffmpeg exited with status ${status.code ?? status.signal} and no message`);
      throw new ApiError('INVALID_AUDIO', 'The audio could not be decoded: the file is damaged, truncated or holds no audio.');
    }
  } finally {
    signal?.removeEventListener('abort', kill);
    kill();
    child.stdin?.destroy();
    await exit;
  }
}

function ffmpegArguments(source: string): string[] {
  return [
    '-hide_banner',
    '-loglevel', 'error',
    // Never read keyboard commands from stdin: stdin may be the upload.
    '-nostdin',
    '-i', source,
    // The first audio stream only: an MP3's cover art or an MP4's video is not decoded at all.
    '-map', '0:a:0',
    '-ac', '1',
    '-ar', String(ENGINE_SAMPLE_RATE),
    '-f', 's16le',
    'pipe:1',
  ];
}

interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when ffmpeg could not be started at all. */
  readonly error?: Error;
}

/** Resolves once ffmpeg has exited and closed its output, or failed to start. Never rejects. */
function exitOf(child: ChildProcess): Promise<ExitStatus> {
  return new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    // `on`, not `once`: a later error (a failed kill) must not go unhandled; only the first one counts.
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
  });
}

function stderrTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    tail = (tail + text).slice(-STDERR_TAIL_LENGTH);
  });
  return () => tail.trim();
}
