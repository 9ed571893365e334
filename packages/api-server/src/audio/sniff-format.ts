import { ApiError } from '@stt/shared';

/** The containers an upload may be in, as clients are told when theirs is not one of them. */
export const SUPPORTED_FORMATS = ['wav', 'mp3', 'flac', 'ogg', 'm4a'] as const;

export type AudioFormat = (typeof SUPPORTED_FORMATS)[number];

/** How many leading bytes `sniffFormat` needs: the longest signature is `RIFF<size>WAVE`. */
export const SNIFF_LENGTH = 12;

/**
 * Names the container from its first bytes (the file name and Content-Type are the client's word;
 * the bytes are not). Only WAV (decoded here) and M4A (needs a seekable file) are treated apart:
 * everything else goes to ffmpeg, which probes the content itself.
 */
export function sniffFormat(head: Uint8Array): AudioFormat {
  const tag = (offset: number): string => latin1(head, offset, 4);
  if ((tag(0) === 'RIFF' || tag(0) === 'RF64') && tag(8) === 'WAVE') return 'wav';
  if (tag(0) === 'fLaC') return 'flac';
  if (tag(0) === 'OggS') return 'ogg';
  if (tag(4) === 'ftyp') return 'm4a';
  if (latin1(head, 0, 3) === 'ID3' || isMpegAudioFrameHeader(head)) return 'mp3';
  throw new ApiError(
    'UNSUPPORTED_FORMAT',
    `The file is not in a supported audio format; send one of: ${SUPPORTED_FORMATS.join(', ')}.`,
    { supported_formats: SUPPORTED_FORMATS },
  );
}

/**
 * An MPEG audio frame header: 11 sync bits, then fields that must not hold their reserved values
 * (checking them keeps arbitrary bytes starting with 0xFFE from passing for MP3).
 */
function isMpegAudioFrameHeader(head: Uint8Array): boolean {
  const [first = 0, second = 0, third = 0] = head;
  if (head.length < 3 || first !== 0xff || (second & 0xe0) !== 0xe0) return false;
  const version = (second >> 3) & 0b11;
  const layer = (second >> 1) & 0b11;
  const bitrateIndex = third >> 4;
  const sampleRateIndex = (third >> 2) & 0b11;
  return version !== 0b01 && layer !== 0b00 && bitrateIndex !== 0b1111 && sampleRateIndex !== 0b11;
}

function latin1(bytes: Uint8Array, offset: number, length: number): string {
  if (bytes.length < offset + length) return '';
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, length).toString('latin1');
}
