export interface WavSpec {
  formatCode: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  data: Uint8Array;
  extensible?: boolean;
  before?: Buffer[];
  after?: Buffer[];
  dataSizeField?: number;
  rf64?: boolean;
  /** The fmt chunk's block align, when it is to contradict channels × sample size. */
  blockAlign?: number;
}

/** A WAV file byte by byte, for the header variants sox and ffmpeg do not write. */
export function wavFile(spec: WavSpec): Buffer {
  const blockAlign = spec.blockAlign ?? spec.channels * Math.ceil(spec.bitsPerSample / 8);
  const fmt = Buffer.alloc(spec.extensible ? 40 : 16);
  fmt.writeUInt16LE(spec.extensible ? 0xfffe : spec.formatCode, 0);
  fmt.writeUInt16LE(spec.channels, 2);
  fmt.writeUInt32LE(spec.sampleRate, 4);
  fmt.writeUInt32LE(spec.sampleRate * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(spec.bitsPerSample, 14);
  if (spec.extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(spec.bitsPerSample, 18);
    fmt.writeUInt32LE(spec.channels === 1 ? 0x4 : 0x3, 20);
    fmt.writeUInt16LE(spec.formatCode, 24);
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(fmt, 26);
  }
  const data = chunk('data', Buffer.from(spec.data));
  data.writeUInt32LE(spec.rf64 ? 0xffffffff : spec.dataSizeField ?? spec.data.length, 4);
  const ds64 = Buffer.alloc(28);
  ds64.writeBigUInt64LE(BigInt(spec.data.length), 8);
  const body = Buffer.concat([
    Buffer.from('WAVE'),
    ...(spec.rf64 ? [chunk('ds64', ds64)] : []),
    chunk('fmt ', fmt),
    ...(spec.before ?? []),
    data,
    ...(spec.after ?? []),
  ]);
  const header = Buffer.alloc(8);
  header.write(spec.rf64 ? 'RF64' : 'RIFF', 0, 'latin1');
  header.writeUInt32LE(spec.rf64 ? 0xffffffff : body.length, 4);
  return Buffer.concat([header, body]);
}

/** A RIFF chunk: id, little-endian size, body, and a pad byte after an odd-sized body. */
export function chunk(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'latin1');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body, Buffer.alloc(body.length % 2)]);
}
