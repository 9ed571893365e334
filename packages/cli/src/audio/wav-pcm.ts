/** 16-bit PCM audio: its samples' bytes and rate. */
export interface Pcm16 {
  readonly data: Buffer;
  readonly sampleRate: number;
}

/**
 * The PCM of a WAV file (16-bit, mono), or undefined when `bytes` is no RIFF/WAVE file (raw
 * audio, then). Other WAV files are refused with what to do: the live endpoint takes one channel
 * of raw samples.
 */
export function pcmFromWav(bytes: Buffer): Pcm16 | undefined {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') return undefined;
  let format: { code: number; channels: number; sampleRate: number; bits: number } | undefined;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = bytes.toString('latin1', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = { code: bytes.readUInt16LE(body), channels: bytes.readUInt16LE(body + 2), sampleRate: bytes.readUInt32LE(body + 4), bits: bytes.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (format === undefined || format.bits !== 16 || format.channels !== 1 || (format.code !== 1 && format.code !== 0xfffe)) {
        throw new Error('stream needs 16-bit mono PCM WAV (or raw audio); convert with: ffmpeg -i IN -ac 1 -ar 16000 -c:a pcm_s16le OUT.wav');
      }
      return { data: bytes.subarray(body, Math.min(body + size, bytes.length)), sampleRate: format.sampleRate };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('the WAV file has no data chunk');
}

/** A WAV file around 16-bit mono `pcm` (for raw test clips sent to the batch endpoint). */
export function wavFromPcm({ data, sampleRate }: Pcm16): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
