import type { Readable } from 'node:stream';
import { ApiError } from '@stt/shared';
import { ByteReader } from './byte-reader.js';
import { decodeWav } from './decode-wav.js';
import { decodeWithFfmpeg } from './ffmpeg-decoder.js';
import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import { SNIFF_LENGTH, sniffFormat } from './sniff-format.js';
import { spoolToTempFile } from './spool-to-file.js';
import { openWav } from './wav-container.js';

export interface DecodeAudioOptions {
  /**
   * Cancels the decode: ffmpeg is killed, waiting for the upload stops, and the generator throws
   * the signal's reason.
   */
  readonly signal?: AbortSignal;
  /** Longest audio accepted; past it the generator throws AUDIO_TOO_LONG at once. */
  readonly maxDurationSeconds: number;
  /** Receives ffmpeg's own error output when it refuses a file: for the server's log, never for the client. */
  readonly onDecoderError?: (detail: string) => void;
}

/**
 * Decodes an upload to 16 kHz mono 16-bit PCM, yielded in chunks as the upload streams in (memory
 * stays flat whatever its length). The container is sniffed from the first bytes: WAV with PCM or
 * float samples is decoded here; everything else by ffmpeg.
 *
 * Throws ApiError UNSUPPORTED_FORMAT (unknown container), INVALID_AUDIO (empty, damaged, or no
 * samples) or AUDIO_TOO_LONG, as soon as each is known; an upload stream's own error is rethrown.
 * The input stream is never destroyed here: when decoding stops early the caller decides whether
 * to drain or drop the rest of the upload.
 */
export async function* decodeAudio(input: Readable, options: DecodeAudioOptions): AsyncGenerator<Int16Array> {
  const { maxDurationSeconds } = options;
  if (!(maxDurationSeconds > 0)) throw new RangeError('maxDurationSeconds must be positive.');
  const maxSamples = Math.floor(maxDurationSeconds * ENGINE_SAMPLE_RATE);
  const reader = ByteReader.fromReadable(input, options.signal);
  try {
    let sampleCount = 0;
    for await (const samples of decodeContainer(reader, options)) {
      sampleCount += samples.length;
      // Leaving the loop returns the decoder generator, whose finally kills ffmpeg.
      if (sampleCount > maxSamples) {
        throw new ApiError('AUDIO_TOO_LONG', `The audio is longer than the ${maxDurationSeconds}-second limit.`, {
          max_duration_seconds: maxDurationSeconds,
        });
      }
      yield samples;
    }
    if (sampleCount === 0) throw new ApiError('INVALID_AUDIO', 'The file contains no audio samples.');
  } finally {
    reader.close();
  }
}

async function* decodeContainer(reader: ByteReader, options: DecodeAudioOptions): AsyncGenerator<Int16Array> {
  const head = await reader.peek(SNIFF_LENGTH);
  if (head.length === 0) throw new ApiError('INVALID_AUDIO', 'The uploaded file is empty.');
  const format = sniffFormat(head);
  if (format === 'wav') {
    const wav = await openWav(reader);
    // undefined: a WAV encoding such as μ-law or ADPCM, which ffmpeg decodes from the untouched bytes.
    if (wav) return yield* decodeWav(wav);
  }
  if (format === 'm4a') {
    const file = await spoolToTempFile(reader.stream());
    try {
      return yield* decodeWithFfmpeg({ path: file.path }, options);
    } finally {
      await file.remove();
    }
  }
  yield* decodeWithFfmpeg({ bytes: reader.stream() }, options);
}
