/** Samples in [-1, 1] to 16-bit, rounded to nearest and clipped (float WAVs may exceed full scale). */
export function toInt16(samples: Float32Array): Int16Array {
  const output = new Int16Array(samples.length);
  for (let index = 0; index < samples.length; index++) {
    const scaled = Math.round(samples[index]! * 32768);
    output[index] = scaled > 32767 ? 32767 : scaled < -32768 ? -32768 : scaled;
  }
  return output;
}
