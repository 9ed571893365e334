import { ApiError } from '@stt/shared';

/** How one sample is stored in a WAV file's data chunk, for the encodings decoded here. */
export type SampleEncoding = 'uint8' | 'int16' | 'int24' | 'int32' | 'float32' | 'float64';

export interface WavFormat {
  readonly encoding: SampleEncoding;
  readonly channels: number;
  readonly sampleRate: number;
  /** Bytes per frame: one sample of every channel. */
  readonly blockAlign: number;
}

/** A fmt chunk either describes samples decoded here, or an encoding left to ffmpeg (μ-law, ADPCM, …). */
export type FmtChunk = { readonly decodable: true; readonly format: WavFormat } | { readonly decodable: false };

const FORMAT_PCM = 0x0001;
const FORMAT_IEEE_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2–15 of every standard WAVE_FORMAT_EXTENSIBLE sub-format GUID (the first two hold the format code). */
const EXTENSIBLE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** Rates outside this range are not audio anyone records speech at; they only signal a broken header. */
const MIN_SAMPLE_RATE = 1000;
const MAX_SAMPLE_RATE = 768_000;

/** Reads a fmt chunk's body. Values no real file has are INVALID_AUDIO. */
export function parseFmtChunk(body: Uint8Array): FmtChunk {
  if (body.length < 16) throw invalidWav('its format chunk is too short');
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let formatCode = view.getUint16(0, true);
  const channels = view.getUint16(2, true);
  const sampleRate = view.getUint32(4, true);
  const blockAlign = view.getUint16(12, true);
  const bitsPerSample = view.getUint16(14, true);

  if (channels === 0) throw invalidWav('it declares zero channels');
  // Every encoding stores whole frames of at least one byte; 0 only comes from a broken writer.
  if (blockAlign === 0) throw invalidWav('it declares frames of zero bytes (block align 0)');
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw invalidWav(`its sample rate of ${sampleRate} Hz is outside ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz`);
  }
  if (formatCode === FORMAT_EXTENSIBLE) {
    if (body.length < 40) throw invalidWav('its extensible format chunk is too short');
    const guidTail = body.subarray(26, 40);
    if (!EXTENSIBLE_GUID_TAIL.every((byte, index) => guidTail[index] === byte)) return { decodable: false };
    formatCode = view.getUint16(24, true);
  }
  if (formatCode === FORMAT_PCM || formatCode === FORMAT_IEEE_FLOAT) {
    // Uncompressed samples: a frame is exactly one container-sized sample per channel. A header that
    // says otherwise contradicts itself, and any guess at its layout decodes as noise.
    if (bitsPerSample === 0) throw invalidWav('it declares samples of zero bits');
    if (blockAlign !== channels * Math.ceil(bitsPerSample / 8)) {
      throw invalidWav(`its block align of ${blockAlign} bytes does not hold ${channels} sample(s) of ${bitsPerSample} bits`);
    }
  }
  const encoding = sampleEncoding(formatCode, bitsPerSample);
  // Compressed encodings (μ-law, ADPCM, …) and uncommon sample sizes (64-bit integers) are ffmpeg's.
  if (encoding === undefined) return { decodable: false };
  return { decodable: true, format: { encoding, channels, sampleRate, blockAlign } };
}

/** ApiError INVALID_AUDIO for a WAV file, with the reason as the end of the sentence. */
export function invalidWav(reason: string): ApiError {
  return new ApiError('INVALID_AUDIO', `The WAV file cannot be decoded: ${reason}.`);
}

function sampleEncoding(formatCode: number, bitsPerSample: number): SampleEncoding | undefined {
  if (formatCode === FORMAT_PCM) {
    // Fewer bits than the container (12 in 16, 20 in 24) are stored left-aligned: read as the container.
    if (bitsPerSample >= 1 && bitsPerSample <= 8) return 'uint8';
    if (bitsPerSample <= 16) return 'int16';
    if (bitsPerSample <= 24) return 'int24';
    if (bitsPerSample <= 32) return 'int32';
  }
  if (formatCode === FORMAT_IEEE_FLOAT) {
    if (bitsPerSample === 32) return 'float32';
    if (bitsPerSample === 64) return 'float64';
  }
  return undefined;
}
