import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ApiError } from '@stt/shared';
import { ByteReader } from '../packages/api-server/src/audio/byte-reader.js';
import { decodeWav } from '../packages/api-server/src/audio/decode-wav.js';
import { SNIFF_LENGTH, SUPPORTED_FORMATS, sniffFormat } from '../packages/api-server/src/audio/sniff-format.js';
import { openWav } from '../packages/api-server/src/audio/wav-container.js';
import { fuzz } from './support/fuzz.js';

/*
 * The WAV parser (RIFF/RF64 chunks, the fmt chunk, the data chunk, decoding to 16 kHz mono) and
 * the format sniffer, in process, on generated files: well-formed ones with every header field
 * drawn from edge values, chunks in any order with lying sizes, truncations, and bytes cut into
 * chunks anywhere. A file is either decoded, left to ffmpeg (an encoding decoded there), or
 * refused with INVALID_AUDIO; the same bytes give the same outcome however they are split.
 */

const u16 = fc.integer({ min: 0, max: 0xffff });
/** Usually null (the natural value), sometimes drawn from `other`: one in `1 + oddsNull`. */
const rarely = <T>(other: fc.Arbitrary<T>, oddsNull = 4): fc.Arbitrary<T | null> =>
  fc.oneof({ arbitrary: fc.constant(null), weight: oddsNull }, { arbitrary: other, weight: 1 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const STANDARD_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

interface FmtSpec {
  readonly formatCode: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  /** null: what channels × bits says. */
  readonly blockAlign: number | null;
  readonly byteRate: number;
  readonly extension: { readonly validBits: number; readonly channelMask: number; readonly subFormat: number; readonly standardGuid: boolean } | null;
  /** Cut the chunk short (or pad it) to this many bytes; null: its natural length. */
  readonly length: number | null;
}

/** Headers a writer could produce: PCM or float, common rates and sizes, consistent fields. */
const plausibleFmt: fc.Arbitrary<FmtSpec> = fc.record({
  formatCode: fc.constantFrom(1, 3),
  channels: fc.integer({ min: 1, max: 8 }),
  sampleRate: fc.constantFrom(8000, 11025, 16000, 22050, 44100, 48000, 96000),
  bitsPerSample: fc.constantFrom(8, 12, 16, 20, 24, 32, 64),
  blockAlign: fc.constant(null),
  byteRate: u32,
  extension: rarely(fc.record({ validBits: u16, channelMask: u32, subFormat: fc.constantFrom(1, 3), standardGuid: fc.constant(true) }), 3),
  length: fc.constant(null),
});

/** Anything: edge values and random ones in every field. */
const wildFmt: fc.Arbitrary<FmtSpec> = fc.record({
  formatCode: fc.oneof(fc.constantFrom(1, 3, 0xfffe, 6, 7, 2, 0x11, 0x55, 0), u16),
  channels: fc.oneof(fc.constantFrom(0, 1, 2, 3, 6, 8, 255), u16),
  sampleRate: fc.oneof(fc.constantFrom(0, 999, 1000, 8000, 16000, 44100, 768000, 768001), u32),
  bitsPerSample: fc.oneof(fc.constantFrom(0, 1, 7, 8, 12, 16, 20, 24, 32, 33, 64), u16),
  blockAlign: rarely(fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 8), u16), 1),
  byteRate: u32,
  extension: rarely(fc.record({ validBits: u16, channelMask: u32, subFormat: fc.oneof(fc.constantFrom(1, 3, 7), u16), standardGuid: fc.boolean() }), 1),
  length: rarely(fc.oneof(fc.constantFrom(0, 14, 15, 16, 18, 39, 40), fc.integer({ min: 0, max: 64 })), 2),
});

const fmtChunk = fc.oneof({ arbitrary: plausibleFmt, weight: 2 }, { arbitrary: wildFmt, weight: 1 }).map((spec) => {
  const body = Buffer.alloc(40);
  const blockAlign = spec.blockAlign ?? (spec.channels * Math.ceil(spec.bitsPerSample / 8)) % 0x10000;
  body.writeUInt16LE(spec.extension === null ? spec.formatCode : 0xfffe, 0);
  body.writeUInt16LE(spec.channels, 2);
  body.writeUInt32LE(spec.sampleRate, 4);
  body.writeUInt32LE(spec.byteRate, 8);
  body.writeUInt16LE(blockAlign, 12);
  body.writeUInt16LE(spec.bitsPerSample, 14);
  if (spec.extension !== null) {
    body.writeUInt16LE(22, 16);
    body.writeUInt16LE(spec.extension.validBits, 18);
    body.writeUInt32LE(spec.extension.channelMask, 20);
    body.writeUInt16LE(spec.extension.subFormat, 24);
    if (spec.extension.standardGuid) Buffer.from(STANDARD_GUID_TAIL).copy(body, 26);
  }
  const length = spec.length ?? (spec.extension === null ? 16 : 40);
  return length <= body.length ? body.subarray(0, length) : Buffer.concat([body, Buffer.alloc(length - body.length)]);
});

interface ChunkSpec {
  readonly id: string;
  readonly body: Uint8Array;
  /** The size field; null: the body's length. */
  readonly declared: number | null;
}

const chunkId = fc.oneof(fc.constantFrom('fmt ', 'data', 'LIST', 'fact', 'junk', 'ds64', 'JUNK', 'bext'), fc.string({ unit: 'binary-ascii', minLength: 4, maxLength: 4 }));
const chunkDeclared = rarely(fc.oneof(fc.constantFrom(0, 1, 0xffffffff, 0x7fffffff), u32, fc.integer({ min: 0, max: 5000 })));
const otherChunk = fc.record({ id: chunkId, body: fc.uint8Array({ maxLength: 64 }), declared: chunkDeclared });

const ds64Chunk = fc.record({ riff: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), data: fc.oneof(fc.constantFrom(0n, 1n, 2n ** 63n), fc.bigInt({ min: 0n, max: 10_000n })) }).map(({ riff, data }) => {
  const body = Buffer.alloc(28);
  body.writeBigUInt64LE(riff, 0);
  body.writeBigUInt64LE(data, 8);
  return body;
});

const wavSpec = fc.record({
  riff: fc.constantFrom('RIFF', 'RF64'),
  riffSize: u32,
  ds64: rarely(ds64Chunk),
  fmt: fmtChunk,
  before: fc.array(otherChunk, { maxLength: 3 }),
  dataDeclared: chunkDeclared,
  data: fc.uint8Array({ maxLength: 6000 }),
  after: fc.array(otherChunk, { maxLength: 2 }),
  /** Mutations of the finished file: bytes overwritten, or the file cut short. */
  flips: fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, { arbitrary: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 3 }), weight: 1 }),
  cut: rarely(fc.nat()),
});

function chunkBytes({ id, body, declared }: ChunkSpec): Buffer {
  const header = Buffer.alloc(8);
  header.write(id.padEnd(4, ' ').slice(0, 4), 0, 'latin1');
  header.writeUInt32LE(declared ?? body.length, 4);
  return Buffer.concat([header, body, Buffer.alloc(body.length % 2)]);
}

type WavSpec = typeof wavSpec extends fc.Arbitrary<infer T> ? T : never;

function wavBytes(spec: WavSpec): Buffer {
  const chunks = [
    ...(spec.ds64 === null ? [] : [chunkBytes({ id: 'ds64', body: spec.ds64, declared: null })]),
    chunkBytes({ id: 'fmt ', body: spec.fmt, declared: null }),
    ...spec.before.map(chunkBytes),
    chunkBytes({ id: 'data', body: spec.data, declared: spec.dataDeclared }),
    ...spec.after.map(chunkBytes),
  ];
  const header = Buffer.alloc(12);
  header.write(spec.riff, 0, 'latin1');
  header.writeUInt32LE(spec.riffSize, 4);
  header.write('WAVE', 8, 'latin1');
  const file = Buffer.concat([header, ...chunks]);
  for (const flip of spec.flips) file[flip.at % file.length] = flip.value;
  return spec.cut === null ? file : file.subarray(0, spec.cut % (file.length + 1));
}

/** What the parser made of a file: the samples, "left to ffmpeg", or the refusal's code. */
type Outcome = { readonly samples: number[] } | { readonly ffmpeg: true } | { readonly refused: string };

async function parse(bytes: Buffer, splits: readonly number[]): Promise<Outcome> {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const split of [...splits.map((at) => at % (bytes.length + 1))].sort((a, b) => a - b)) {
    pieces.push(bytes.subarray(start, split));
    start = split;
  }
  pieces.push(bytes.subarray(start));
  const reader = ByteReader.fromReadable(Readable.from(pieces.filter((piece) => piece.length > 0)));
  try {
    const wav = await openWav(reader);
    if (wav === undefined) return { ffmpeg: true };
    const samples: number[] = [];
    let inputBytes = 0;
    const counted = (async function* () {
      for await (const chunk of wav.bytes) {
        inputBytes += chunk.length;
        yield chunk;
      }
    })();
    for await (const chunk of decodeWav({ format: wav.format, bytes: counted })) samples.push(...chunk);
    // Output never outgrows the input: N frames give ceil(N · 16000 / rate) samples.
    const frames = Math.floor(inputBytes / wav.format.blockAlign);
    assert.ok(samples.length <= Math.ceil((frames * 16_000) / wav.format.sampleRate) + 1, `${samples.length} samples from ${frames} frames at ${wav.format.sampleRate} Hz`);
    return { samples };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    assert.equal(error.code, 'INVALID_AUDIO', error.message);
    assert.match(error.message, /^The WAV file cannot be decoded: [^\n]+\.$/);
    return { refused: error.code };
  } finally {
    reader.close();
  }
}

describe('fuzzing the WAV parser and the format sniffer', () => {
  test('fuzz wav-parser: decoded, left to ffmpeg, or INVALID_AUDIO; the same however the bytes are split', async () => {
    const splits = fc.array(fc.nat(), { maxLength: 6 });
    const outcomes = { decoded: 0, ffmpeg: 0, refused: 0 };
    await fuzz(
      'wav-parser',
      fc.asyncProperty(wavSpec, splits, splits, async (spec, first, second) => {
        const bytes = wavBytes(spec);
        const outcome = await parse(bytes, first);
        assert.deepEqual(await parse(bytes, second), outcome, 'another split of the same bytes');
        outcomes['samples' in outcome ? 'decoded' : 'ffmpeg' in outcome ? 'ffmpeg' : 'refused']++;
      }),
      { budgetMs: 60_000, caseTimeoutMs: 5000, summary: () => `${outcomes.decoded} decoded, ${outcomes.ffmpeg} left to ffmpeg, ${outcomes.refused} refused` },
    );
  });

  test('fuzz format-sniffer: one of the supported formats or UNSUPPORTED_FORMAT, from the first 12 bytes alone', async () => {
    const signature = fc.constantFrom('RIFF', 'RF64', 'WAVE', 'fLaC', 'OggS', 'ftyp', 'ID3', '\xff\xfb', '\xff\xf3', '\xff\xe0');
    const head = fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc
        .tuple(fc.array(fc.oneof(signature, fc.string({ unit: 'binary-ascii', maxLength: 4 })), { maxLength: 4 }), fc.uint8Array({ maxLength: 8 }))
        .map(([parts, tail]) => Buffer.concat([Buffer.from(parts.join(''), 'latin1'), tail])),
    );
    await fuzz(
      'format-sniffer',
      fc.property(head, (bytes) => {
        const sniff = (input: Uint8Array): string => {
          try {
            return sniffFormat(input);
          } catch (error) {
            assert.ok(error instanceof ApiError && error.code === 'UNSUPPORTED_FORMAT', String(error));
            assert.deepEqual(error.extra.supported_formats, SUPPORTED_FORMATS);
            return 'unsupported';
          }
        };
        const format = sniff(bytes);
        assert.ok([...SUPPORTED_FORMATS, 'unsupported'].includes(format));
        assert.equal(sniff(bytes.subarray(0, SNIFF_LENGTH)), format, 'decided by the first bytes alone');
        const latin1 = Buffer.from(bytes).toString('latin1');
        assert.equal(format === 'wav', /^(RIFF|RF64)....WAVE/s.test(latin1), 'wav exactly when RIFF/RF64 … WAVE');
      }),
      { budgetMs: 20_000 },
    );
  });
});
