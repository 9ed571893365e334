/** Every chunk of a PCM stream (a decoder's output), as one array. */
export async function collectPcm(chunks: AsyncIterable<Int16Array>): Promise<Int16Array> {
  const pieces: Int16Array[] = [];
  for await (const chunk of chunks) pieces.push(chunk);
  const all = new Int16Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    all.set(piece, offset);
    offset += piece.length;
  }
  return all;
}
