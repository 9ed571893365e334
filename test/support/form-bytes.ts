export interface FormPart {
  readonly name: string;
  /** Present: a file part. */
  readonly filename?: string;
  readonly contentType?: string;
  readonly body: Uint8Array | string;
}

/**
 * A multipart/form-data body byte by byte, including the broken ones no client library writes:
 * `closed: false` leaves out the closing boundary.
 */
export function formBytes(boundary: string, parts: readonly FormPart[], { closed = true }: { closed?: boolean } = {}): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
    const type = part.contentType === undefined ? '' : `Content-Type: ${part.contentType}\r\n`;
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`, 'latin1'));
    pieces.push(typeof part.body === 'string' ? Buffer.from(part.body, 'utf8') : Buffer.from(part.body));
    pieces.push(Buffer.from('\r\n', 'latin1'));
  }
  if (closed) pieces.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(pieces);
}
