/**
 * ITU-T G.711 μ-law and A-law bytes to 16-bit linear samples, by table (256 entries each),
 * as telephony streams arrive.
 */
function ulawToLinear(byte: number): number {
  const value = ~byte & 0xff;
  const exponent = (value >> 4) & 0x07;
  const magnitude = ((((value & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return value & 0x80 ? -magnitude : magnitude;
}

function alawToLinear(byte: number): number {
  const value = byte ^ 0x55;
  const exponent = (value >> 4) & 0x07;
  const mantissa = value & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return value & 0x80 ? magnitude : -magnitude;
}

const table = (decode: (byte: number) => number): Int16Array => Int16Array.from({ length: 256 }, (_, byte) => decode(byte));

export const MULAW_TABLE = table(ulawToLinear);
export const ALAW_TABLE = table(alawToLinear);

export function decodeG711(bytes: Uint8Array, lookup: Int16Array): Int16Array {
  const samples = new Int16Array(bytes.length);
  for (let index = 0; index < bytes.length; index++) samples[index] = lookup[bytes[index]!]!;
  return samples;
}
