import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { ApiError, type ErrorCode } from '@stt/shared';
import { decodeAudio, sniffFormat, SUPPORTED_FORMATS, type DecodeAudioOptions } from '../packages/api-server/src/audio/index.js';
import { SincResampler } from '../packages/api-server/src/audio/sinc-resampler.js';
import { chunk, wavFile } from './support/wav-file.js';
import { collectPcm } from './support/collect-pcm.js';

const execFileAsync = promisify(execFile);

const TEST_DATA = '/usr/share/pocketsphinx/test/data';
/** "go forward ten meters": 16 kHz 16-bit mono raw samples. */
const GO_FORWARD_RAW = `${TEST_DATA}/goforward.raw`;
/** LibriVox speech, 16 kHz 16-bit mono WAV with a plain 44-byte header: 7.1 s and 2.99 s. */
const SPEECH_WAV = `${TEST_DATA}/librivox/sense_and_sensibility_01_austen_64kb-0870.wav`;
const OTHER_SPEECH_WAV = `${TEST_DATA}/librivox/sense_and_sensibility_01_austen_64kb-0880.wav`;
const RATE = 16_000;
const LONG_SECONDS = 600;
const OPTIONS: DecodeAudioOptions = { maxDurationSeconds: 7200 };

let dir: string;
/** SPEECH_WAV's samples, the reference every conversion is compared with. */
let speech: Int16Array;
let goForward: Int16Array;
const file = (name: string): string => join(dir, name);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audio-decoding-'));
  speech = int16((await readFile(SPEECH_WAV)).subarray(44));
  goForward = int16(await readFile(GO_FORWARD_RAW));
  const sox = (...args: string[]): Promise<unknown> => execFileAsync('sox', ['-D', ...args]);
  const ffmpeg = (...args: string[]): Promise<unknown> => execFileAsync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  await Promise.all([
    sox(SPEECH_WAV, '-b', '8', '-e', 'unsigned-integer', file('u8.wav')),
    sox(SPEECH_WAV, '-b', '24', file('s24.wav')),
    sox(SPEECH_WAV, '-b', '32', file('s32.wav')),
    sox(SPEECH_WAV, '-e', 'floating-point', '-b', '32', file('f32.wav')),
    sox(SPEECH_WAV, '-e', 'floating-point', '-b', '64', file('f64.wav')),
    sox('-M', SPEECH_WAV, OTHER_SPEECH_WAV, '-r', '44100', file('stereo-44k.wav')),
    sox(SPEECH_WAV, '-r', '44100', file('mono-44k.wav')),
    sox(SPEECH_WAV, '-r', '8000', file('mono-8k.wav')),
    sox(SPEECH_WAV, '-r', '22050', file('mono-22k.wav')),
    sox('-M', SPEECH_WAV, OTHER_SPEECH_WAV, '-r', '48000', '-e', 'floating-point', '-b', '32', file('stereo-48k-float.wav')),
    sox('-n', '-r', '44100', '-b', '16', file('tone-10k.wav'), 'synth', '2', 'sine', '10000', 'vol', '0.5'),
    sox('-n', '-r', '44100', '-b', '16', file('tone-1k.wav'), 'synth', '2', 'sine', '1000', 'vol', '0.5'),
    ffmpeg('-i', SPEECH_WAV, file('speech.mp3')),
    ffmpeg('-i', SPEECH_WAV, file('speech.flac')),
    ffmpeg('-i', SPEECH_WAV, file('speech.ogg')),
    ffmpeg('-i', SPEECH_WAV, file('speech.m4a')),
    ffmpeg('-i', SPEECH_WAV, '-c:a', 'pcm_mulaw', file('mulaw.wav')),
    ffmpeg('-stream_loop', '-1', '-i', SPEECH_WAV, '-t', String(LONG_SECONDS), file('long.wav')),
  ]);
  await Promise.all([
    ffmpeg('-i', file('long.wav'), file('long.flac')),
    // ALAC is quick to encode; ffmpeg puts the index (moov) after the audio, past what a pipe can probe.
    ffmpeg('-i', file('long.wav'), '-c:a', 'alac', file('long.m4a')),
  ]);
});

after(() => rm(dir, { recursive: true, force: true }));

describe('container sniffing', () => {
  test('each supported signature is recognised', () => {
    const bytes = (text: string, ...extra: number[]): Uint8Array => Uint8Array.from([...Buffer.from(text, 'latin1'), ...extra]);
    assert.equal(sniffFormat(bytes('RIFF\x24\x00\x00\x00WAVEfmt ')), 'wav');
    assert.equal(sniffFormat(bytes('RF64\xff\xff\xff\xffWAVEds64')), 'wav');
    assert.equal(sniffFormat(bytes('ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00')), 'mp3');
    assert.equal(sniffFormat(Uint8Array.of(0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0)), 'mp3');
    assert.equal(sniffFormat(bytes('fLaC\x00\x00\x00\x22\x10\x00\x10\x00')), 'flac');
    assert.equal(sniffFormat(bytes('OggS\x00\x02\x00\x00\x00\x00\x00\x00')), 'ogg');
    assert.equal(sniffFormat(bytes('\x00\x00\x00\x1cftypM4A ')), 'm4a');
    assert.deepEqual([...SUPPORTED_FORMATS], ['wav', 'mp3', 'flac', 'ogg', 'm4a']);
  });

  test('unknown bytes are UNSUPPORTED_FORMAT, listing the supported formats', async () => {
    const error = await decodeError(Buffer.from('<html><body>not audio</body></html>'), 'UNSUPPORTED_FORMAT');
    assert.deepEqual(error.extra.supported_formats, ['wav', 'mp3', 'flac', 'ogg', 'm4a']);
    assert.equal(error.statusCode, 415);
    // 0xFFE sync bits followed by reserved field values (layer 00 is AAC ADTS, not MPEG audio).
    await decodeError(Buffer.from([0xff, 0xf1, 0x50, 0x80, 1, 2, 3, 4, 5, 6, 7, 8]), 'UNSUPPORTED_FORMAT');
  });
});

describe('WAV fast path', () => {
  test('16 kHz 16-bit mono comes out sample for sample, whatever the chunking', async () => {
    assert.deepEqual(await decodeFile(SPEECH_WAV), speech);
    // Odd chunk sizes split samples and the header between chunks.
    const wav = wavFile({ formatCode: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, data: bytesOf(goForward) });
    assert.deepEqual(await collectPcm(decodeAudio(inChunks(wav, 1001), OPTIONS)), goForward);
    assert.deepEqual(await collectPcm(decodeAudio(inChunks(wav, 7), OPTIONS)), goForward);
    // An object-mode stream may hand over empty chunks, even first.
    const withEmptyChunks = Readable.from([Buffer.alloc(0), wav.subarray(0, 20), Buffer.alloc(0), wav.subarray(20), Buffer.alloc(0)], { objectMode: true });
    assert.deepEqual(await collectPcm(decodeAudio(withEmptyChunks, OPTIONS)), goForward);
  });

  test('24-bit, 32-bit, float and double samples of 16-bit audio come out exactly', async () => {
    for (const name of ['s24.wav', 's32.wav', 'f32.wav', 'f64.wav']) {
      assert.deepEqual(await decodeFile(file(name)), speech, name);
    }
  });

  test('8-bit unsigned samples come out as ffmpeg converts them', async () => {
    assert.deepEqual(await decodeFile(file('u8.wav')), await ffmpegPcm(file('u8.wav')));
  });

  test('stereo is mixed to mono by averaging', async () => {
    const left = goForward;
    const right = goForward.map((sample) => -sample >> 1);
    const data = new Int16Array(left.length * 2);
    left.forEach((sample, index) => {
      data[2 * index] = sample;
      data[2 * index + 1] = right[index]!;
    });
    const decoded = await collectPcm(decodeAudio(Readable.from([wavFile({ formatCode: 1, channels: 2, sampleRate: RATE, bitsPerSample: 16, data: bytesOf(data) })]), OPTIONS));
    assert.deepEqual(decoded, left.map((sample, index) => Math.round((sample + right[index]!) / 2)));
  });

  test('WAVE_FORMAT_EXTENSIBLE, chunks around the data, streamed sizes and RF64', async () => {
    const data = bytesOf(goForward);
    const list = chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00odd!\x00\x00', 'latin1'));
    const variants: Record<string, Buffer> = {
      extensible: wavFile({ formatCode: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, data, extensible: true }),
      'extensible float': wavFile({ formatCode: 3, channels: 1, sampleRate: RATE, bitsPerSample: 32, data: floatBytes(goForward), extensible: true }),
      'odd-sized chunks before and a chunk after the data': wavFile({ formatCode: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, data, before: [list, chunk('junk', Buffer.alloc(7))], after: [list] }),
      'data size 0xFFFFFFFF (streamed)': wavFile({ formatCode: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, data, dataSizeField: 0xffffffff }),
      'data size 0 (streamed)': wavFile({ formatCode: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, data, dataSizeField: 0 }),
      'RF64 with a chunk after the data': wavFile({ formatCode: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, data, rf64: true, after: [list] }),
    };
    for (const [name, wav] of Object.entries(variants)) {
      assert.deepEqual(await collectPcm(decodeAudio(inChunks(wav, 4096), OPTIONS)), goForward, name);
    }
  });

  test('resampled WAVs are aligned with ffmpeg’s own resampling and match it closely', async () => {
    for (const [name, sourceRate] of [['stereo-44k.wav', 44100], ['mono-44k.wav', 44100], ['mono-8k.wav', 8000], ['mono-22k.wav', 22050], ['stereo-48k-float.wav', 48000]] as const) {
      const decoded = await decodeFile(file(name));
      const reference = await ffmpegPcm(file(name));
      const sourceSamples = Math.round((speech.length * sourceRate) / RATE);
      assert.equal(decoded.length, Math.ceil((sourceSamples * RATE) / sourceRate), `${name}: length`);
      assert.ok(Math.abs(decoded.length - speech.length) <= RATE * 0.002, `${name}: duration within 2 ms`);
      const atZero = correlation(decoded, reference, 0);
      assert.ok(atZero > 0.99, `${name}: correlation with ffmpeg ${atZero}`);
      assert.ok(atZero > correlation(decoded, reference, 1) && atZero > correlation(decoded, reference, -1), `${name}: aligned at lag 0`);
    }
    // A round trip through 44.1 kHz (sox up, ours down) gives back the 16 kHz speech.
    const roundTrip = correlation(await decodeFile(file('mono-44k.wav')), speech, 0);
    assert.ok(roundTrip > 0.999, `round trip correlation ${roundTrip}`);
  });

  test('the resampler is band-limited: a 10 kHz tone at 44.1 kHz does not alias into the output', async () => {
    const fullScaleRms = 0.5 * 32768 * Math.SQRT1_2;
    const level = (samples: Int16Array): number => 20 * Math.log10(rms(samples.subarray(1000, -1000)) / fullScaleRms);
    const tone10k = await decodeFile(file('tone-10k.wav'));
    const tone1k = await decodeFile(file('tone-1k.wav'));
    assert.equal(tone10k.length, 2 * RATE);
    // Linear interpolation would leave it at about -20 dB, folded to 6 kHz.
    assert.ok(level(tone10k) < -70, `10 kHz tone at ${level(tone10k).toFixed(1)} dB`);
    assert.ok(Math.abs(level(tone1k)) < 0.1, `1 kHz tone at ${level(tone1k).toFixed(2)} dB`);
  });

  test('the resampler gives the same samples however its input is split', () => {
    const input = Float32Array.from(goForward, (sample) => sample / 32768);
    const resample = (pieceLength: (index: number) => number): Float32Array => {
      const resampler = new SincResampler(44100, RATE);
      const pieces: Float32Array[] = [];
      for (let offset = 0, index = 0; offset < input.length; index++) {
        const length = pieceLength(index);
        pieces.push(resampler.push(input.subarray(offset, offset + length)));
        offset += length;
      }
      pieces.push(resampler.flush());
      return concatFloat(pieces);
    };
    const whole = resample(() => input.length);
    assert.equal(whole.length, Math.ceil((input.length * RATE) / 44100));
    assert.deepEqual(resample((index) => 1 + ((index * 37) % 500)), whole);
    assert.deepEqual(resample(() => 1), whole);
  });
});

describe('ffmpeg path', () => {
  test('FLAC comes out sample for sample', async () => {
    assert.deepEqual(await decodeFile(file('speech.flac')), speech);
  });

  test('MP3, OGG, M4A and μ-law WAV decode aligned with the source', async () => {
    for (const name of ['speech.mp3', 'speech.ogg', 'speech.m4a', 'mulaw.wav']) {
      const decoded = await decodeFile(file(name));
      // Lossy encoders pad the last frame; ffmpeg trims the start delay but may keep up to a frame of tail (36 ms for MP3 at 16 kHz).
      assert.ok(decoded.length >= speech.length && decoded.length - speech.length <= RATE * 0.04, `${name}: ${decoded.length} samples for ${speech.length}`);
      const similarity = correlation(decoded, speech, 0);
      assert.ok(similarity > 0.98, `${name}: correlation with the source ${similarity}`);
    }
  });

  test('an M4A whose index follows the audio decodes in full (it needs a seekable file, not a pipe)', async () => {
    assert.equal((await collectPcm(decodeAudio(createReadStream(file('long.m4a')), OPTIONS))).length, LONG_SECONDS * RATE);
  });
});

describe('invalid audio', () => {
  test('empty input is INVALID_AUDIO', async () => {
    await decodeError(Buffer.alloc(0), 'INVALID_AUDIO');
  });

  test('a WAV header with no data chunk, or an empty one, is INVALID_AUDIO', async () => {
    const noData = wavFile({ formatCode: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, data: Buffer.alloc(0) }).subarray(0, 36);
    const error = await decodeError(noData, 'INVALID_AUDIO');
    assert.match(error.message, /^The WAV file cannot be decoded: .+\.$/);
    await decodeError(wavFile({ formatCode: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, data: Buffer.alloc(0) }), 'INVALID_AUDIO');
    await decodeError(wavFile({ formatCode: 1, channels: 0, sampleRate: RATE, bitsPerSample: 16, data: Buffer.alloc(64) }), 'INVALID_AUDIO');
    await decodeError(Buffer.from('RIFF\x00\x00\x00\x00WAVE', 'latin1'), 'INVALID_AUDIO');
  });

  test('a WAV header that contradicts itself is INVALID_AUDIO, not guessed at (ffmpeg decodes it as noise)', async () => {
    const data = bytesOf(goForward);
    for (const header of [
      { formatCode: 1, bitsPerSample: 7, blockAlign: 0 },
      { formatCode: 1, bitsPerSample: 16, blockAlign: 3 },
      { formatCode: 1, bitsPerSample: 0, blockAlign: 2 },
      { formatCode: 3, bitsPerSample: 32, blockAlign: 2 },
      { formatCode: 7, bitsPerSample: 8, blockAlign: 0 },
    ]) {
      const error = await decodeError(wavFile({ channels: 1, sampleRate: RATE, data, ...header }), 'INVALID_AUDIO');
      assert.match(error.message, /^The WAV file cannot be decoded: .+\.$/, JSON.stringify(header));
    }
    assert.deepEqual(ffmpegChildren(), []);
  });

  test('a truncated or corrupt MP3 is INVALID_AUDIO with a sentence; ffmpeg’s words go to the log only', async () => {
    const mp3 = await readFile(file('speech.mp3'));
    const garbage = Buffer.from(Array.from({ length: 5000 }, (_, index) => (index * 7919) % 251));
    for (const bytes of [mp3.subarray(0, 300), Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'), garbage])]) {
      const logged: string[] = [];
      const error = await decodeError(bytes, 'INVALID_AUDIO', { onDecoderError: (detail) => logged.push(detail) });
      assert.match(error.message, /^The audio could not be decoded: [^\n]+\.$/);
      assert.doesNotMatch(error.message, /pipe:|ffmpeg|\[mp3/);
      assert.equal(logged.length, 1);
      assert.ok(logged[0]!.length > 0);
    }
    assert.deepEqual(ffmpegChildren(), []);
  });
});

describe('limits and cancellation', () => {
  test('audio past the maximum duration is AUDIO_TOO_LONG at once, on both paths', async () => {
    for (const name of [SPEECH_WAV, file('speech.mp3'), file('long.flac')]) {
      let yielded = 0;
      const decoding = (async () => {
        for await (const samples of decodeAudio(createReadStream(name), { maxDurationSeconds: 1 })) yielded += samples.length;
      })();
      await assert.rejects(decoding, (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.code, 'AUDIO_TOO_LONG');
        assert.equal(error.extra.max_duration_seconds, 1);
        assert.equal(error.message, 'The audio is longer than the 1-second limit.');
        return true;
      });
      assert.ok(yielded <= RATE, `${name}: ${yielded} samples yielded`);
      assert.deepEqual(ffmpegChildren(), [], name);
    }
  });

  test('aborting mid-decode kills ffmpeg and throws the abort reason', async () => {
    const controller = new AbortController();
    const decoder = decodeAudio(createReadStream(file('long.flac')), { ...OPTIONS, signal: controller.signal });
    assert.equal((await decoder.next()).done, false);
    assert.equal(ffmpegChildren().length, 1);
    controller.abort();
    await assert.rejects(drain(decoder), { name: 'AbortError' });
    assert.deepEqual(ffmpegChildren(), []);
  });

  test('aborting while the upload has stalled stops at once and kills ffmpeg', async () => {
    const upload = new PassThrough();
    upload.write((await readFile(file('long.flac'))).subarray(0, 200_000));
    const controller = new AbortController();
    const decoder = decodeAudio(upload, { ...OPTIONS, signal: controller.signal });
    const decoding = drain(decoder);
    await waitFor(() => ffmpegChildren().length === 1);
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await assert.rejects(decoding, { name: 'AbortError' });
    assert.ok(Date.now() - started < 2000);
    assert.deepEqual(ffmpegChildren(), []);
    assert.equal(upload.destroyed, false, 'the upload is left to the caller');
  });

  test('a consumer that stops early leaves no ffmpeg behind', async () => {
    for await (const samples of decodeAudio(createReadStream(file('long.flac')), OPTIONS)) {
      assert.ok(samples.length > 0);
      break;
    }
    assert.deepEqual(ffmpegChildren(), []);
  });

  test('an upload that fails mid-way fails the decode with its own error', async () => {
    const flac = await readFile(file('long.flac'));
    const failing = Readable.from(
      (async function* () {
        yield flac.subarray(0, 300_000);
        throw new Error('client went away');
      })(),
    );
    await assert.rejects(drain(decodeAudio(failing, OPTIONS)), /client went away/);
    assert.deepEqual(ffmpegChildren(), []);
  });
});

describe('streaming', () => {
  test('a 10-minute WAV is decoded as it streams in, never far ahead of the output', async () => {
    const upload = countingUpload(file('long.wav'));
    let samples = 0;
    let firstChunkAt: number | undefined;
    for await (const chunk of decodeAudio(upload.stream, OPTIONS)) {
      firstChunkAt ??= upload.bytesRead();
      samples += chunk.length;
      assert.ok(upload.bytesRead() - 2 * samples < 1 << 20, 'input read at most 1 MiB ahead of the output');
    }
    assert.ok(firstChunkAt! < 1 << 20, `first samples after ${firstChunkAt} bytes of ${upload.size}`);
    assert.equal(samples, LONG_SECONDS * RATE);
  });

  test('a 10-minute FLAC through ffmpeg yields its first samples long before the upload ends', async () => {
    const upload = countingUpload(file('long.flac'));
    let samples = 0;
    let firstChunkAt: number | undefined;
    for await (const chunk of decodeAudio(upload.stream, OPTIONS)) {
      firstChunkAt ??= upload.bytesRead();
      samples += chunk.length;
    }
    assert.ok(firstChunkAt! < upload.size / 10, `first samples after ${firstChunkAt} bytes of ${upload.size}`);
    assert.equal(samples, LONG_SECONDS * RATE);
  });
});

// ---- helpers ----

async function decodeFile(path: string): Promise<Int16Array> {
  return collectPcm(decodeAudio(createReadStream(path), OPTIONS));
}


async function drain(decoder: AsyncGenerator<Int16Array>): Promise<void> {
  for await (const samples of decoder) void samples;
}

async function decodeError(bytes: Uint8Array, code: ErrorCode, options: Partial<DecodeAudioOptions> = {}): Promise<ApiError> {
  let caught: unknown;
  try {
    await drain(decodeAudio(Readable.from([Buffer.from(bytes)]), { ...OPTIONS, ...options }));
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ApiError, `expected ApiError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

/** ffmpeg's own decoding (and resampling) to 16 kHz mono 16-bit. */
async function ffmpegPcm(path: string): Promise<Int16Array> {
  const { stdout } = await execFileAsync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path, '-ac', '1', '-ar', String(RATE), '-f', 's16le', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 1 << 28,
  });
  return int16(stdout);
}

/** ffmpeg processes whose parent is this test process. */
function ffmpegChildren(): number[] {
  return readProcesses().filter((entry) => entry.name === 'ffmpeg' && entry.parent === process.pid).map((entry) => entry.pid);
}

function readProcesses(): { pid: number; name: string; parent: number }[] {
  return readdirSync('/proc').flatMap((pid) => {
    if (!/^\d+$/.test(pid)) return [];
    try {
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      return match ? [{ pid: Number(pid), name: match[1]!, parent: Number(match[2]) }] : [];
    } catch {
      return [];
    }
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A file streamed in 64 KiB chunks, counting what has been read from it so far. */
function countingUpload(path: string): { stream: Readable; bytesRead: () => number; size: number } {
  let read = 0;
  const chunks = async function* (): AsyncGenerator<Buffer> {
    for await (const piece of createReadStream(path, { highWaterMark: 1 << 16 })) {
      read += (piece as Buffer).length;
      yield piece as Buffer;
    }
  };
  return { stream: Readable.from(chunks(), { objectMode: false }), bytesRead: () => read, size: statSync(path).size };
}

function inChunks(bytes: Uint8Array, size: number): Readable {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(Buffer.from(bytes.subarray(offset, offset + size)));
  return Readable.from(pieces, { objectMode: false });
}

function int16(bytes: Buffer): Int16Array {
  const samples = new Int16Array(bytes.length >> 1);
  new Uint8Array(samples.buffer).set(bytes.subarray(0, samples.byteLength));
  return samples;
}

function bytesOf(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}

function floatBytes(samples: Int16Array): Buffer {
  const floats = Float32Array.from(samples, (sample) => sample / 32768);
  return Buffer.from(floats.buffer);
}

function concatFloat(pieces: Float32Array[]): Float32Array {
  const all = new Float32Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    all.set(piece, offset);
    offset += piece.length;
  }
  return all;
}

/** Normalised cross-correlation of a[i] with b[i + lag] over their overlap: 1 for the same signal. */
function correlation(a: Int16Array, b: Int16Array, lag: number): number {
  let product = 0;
  let energyA = 0;
  let energyB = 0;
  for (let index = Math.max(0, -lag); index < a.length && index + lag < b.length; index++) {
    const x = a[index]!;
    const y = b[index + lag]!;
    product += x * y;
    energyA += x * x;
    energyB += y * y;
  }
  return product / Math.sqrt(energyA * energyB);
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / samples.length);
}
