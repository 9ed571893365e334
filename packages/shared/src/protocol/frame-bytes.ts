/** A WebSocket frame's payload as `ws` hands it over (one buffer, fragments, or an ArrayBuffer), as one Buffer. */
export function frameBytes(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}
