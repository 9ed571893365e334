import type { ByteReader } from './byte-reader.js';
import { invalidWav, parseFmtChunk, type WavFormat } from './wav-format.js';

/** A WAV file's sample format and the bytes of its data chunk, streamed. */
export interface WavData {
  readonly format: WavFormat;
  readonly bytes: AsyncGenerator<Uint8Array>;
}

const RIFF_HEADER_LENGTH = 12;
const CHUNK_HEADER_LENGTH = 8;
/** How far into the file the fmt chunk may be; it is the first chunk in practice. */
const MAX_FMT_OFFSET = 1 << 20;
const MAX_FMT_LENGTH = 1 << 10;
/** A data (or RIFF) size field meaning "unknown": the writer streamed the file and never came back to fill it in. */
const STREAMED_SIZE = 0xffffffff;

/**
 * Opens a RIFF/RF64 WAVE file whose sniffed signature has been checked. Returns undefined when the
 * samples are in an encoding only ffmpeg decodes: up to that point the reader was only peeked at,
 * so ffmpeg still gets the whole file. Otherwise consumes the header and every chunk before the
 * data (LIST, fact, …), and streams the data chunk.
 */
export async function openWav(reader: ByteReader): Promise<WavData | undefined> {
  let offset = RIFF_HEADER_LENGTH;
  let rf64DataLength: number | undefined;
  for (;;) {
    const chunk = await peekChunk(reader, offset);
    if (chunk.id === 'data') throw invalidWav('its audio data comes before its format chunk');
    if (chunk.id === 'ds64') rf64DataLength = readDs64DataLength(chunk.body);
    if (chunk.id === 'fmt ') {
      const fmt = parseFmtChunk(chunk.body);
      if (!fmt.decodable) return undefined;
      await reader.skip(chunk.end);
      const dataLength = await skipToDataChunk(reader, rf64DataLength);
      return { format: fmt.format, bytes: reader.stream(dataLength) };
    }
    offset = chunk.end;
    if (offset > MAX_FMT_OFFSET) throw invalidWav('no format chunk was found in its header');
  }
}

interface PeekedChunk {
  readonly id: string;
  /** The body, for the small chunks read here (fmt, ds64); empty for the others. */
  readonly body: Uint8Array;
  /** Offset of the next chunk: RIFF chunks are padded to an even length. */
  readonly end: number;
}

async function peekChunk(reader: ByteReader, offset: number): Promise<PeekedChunk> {
  const header = await reader.peek(offset + CHUNK_HEADER_LENGTH);
  if (header.length < offset + CHUNK_HEADER_LENGTH) throw invalidWav('it ends before its format chunk');
  const id = Buffer.from(header.subarray(offset, offset + 4)).toString('latin1');
  const length = new DataView(header.buffer, header.byteOffset, header.byteLength).getUint32(offset + 4, true);
  const bodyStart = offset + CHUNK_HEADER_LENGTH;
  const end = bodyStart + length + (length & 1);
  if (id !== 'fmt ' && id !== 'ds64') return { id, body: new Uint8Array(0), end };
  if (length > MAX_FMT_LENGTH) throw invalidWav(`its ${id.trim()} chunk is implausibly large`);
  const bytes = await reader.peek(bodyStart + length);
  if (bytes.length < bodyStart + length) throw invalidWav(`it ends inside its ${id.trim()} chunk`);
  return { id, body: bytes.subarray(bodyStart, bodyStart + length), end };
}

/** RF64's real data size (its data chunk's own size field is 0xFFFFFFFF); undefined if 0 (streamed). */
function readDs64DataLength(body: Uint8Array): number | undefined {
  if (body.length < 16) throw invalidWav('its ds64 chunk is too short');
  const length = Number(new DataView(body.buffer, body.byteOffset, body.byteLength).getBigUint64(8, true));
  return length === 0 ? undefined : length;
}

/**
 * Skips the chunks between fmt and data, streaming (a LIST chunk may be large). Returns the data
 * chunk's length, or Infinity when the size field says "unknown" (0 or 0xFFFFFFFF: read to the end).
 */
async function skipToDataChunk(reader: ByteReader, rf64DataLength: number | undefined): Promise<number> {
  for (;;) {
    const header = await reader.read(CHUNK_HEADER_LENGTH);
    if (header.length < CHUNK_HEADER_LENGTH) throw invalidWav('it has no audio data chunk');
    const id = Buffer.from(header.subarray(0, 4)).toString('latin1');
    const length = new DataView(header.buffer, header.byteOffset, header.byteLength).getUint32(4, true);
    if (id === 'data') {
      if (length === STREAMED_SIZE) return rf64DataLength ?? Number.POSITIVE_INFINITY;
      return length === 0 ? Number.POSITIVE_INFINITY : length;
    }
    const padded = length + (length & 1);
    if ((await reader.skip(padded)) < padded) throw invalidWav('it has no audio data chunk');
  }
}
