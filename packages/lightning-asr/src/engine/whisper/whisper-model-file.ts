import { open, stat } from 'node:fs/promises';

/** The first four bytes of a whisper.cpp model (`lmgg`): `ggml` as a little-endian uint32. */
const GGML_MAGIC = 0x67676d6c;

/**
 * Whisper's vocabularies: 51864 tokens in `.en` models, 51865 in multilingual ones, 51866 in
 * large-v3. whisper.cpp's test for multilingual (`is_multilingual`) is `n_vocab >= 51865`.
 */
const ENGLISH_VOCAB = 51864;
const MULTILINGUAL_VOCAB = 51865;
const LARGEST_VOCAB = 51866;

export interface WhisperModelHeader {
  readonly multilingual: boolean;
}

/**
 * Reads the start of a whisper.cpp ggml model (magic, then `n_vocab`): missing files, files of
 * another format and ggml models of another kind are clear Errors before whisper.cpp sees them
 * (given a Parakeet ggml model, it allocated 24 GB and was killed for it). A file that starts
 * right but is damaged further on can still abort the process in whisper.cpp (a `GGML_ASSERT`),
 * which is what the model check in a child process is for.
 */
export async function readWhisperModelHeader(path: string): Promise<WhisperModelHeader> {
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined) throw new Error(`Whisper model not found: ${path}`);
  if (!stats.isFile()) throw new Error(`Whisper model is not a file: ${path}`);
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read({ buffer: Buffer.alloc(8), position: 0 });
    if (bytesRead < 8 || buffer.readUInt32LE(0) !== GGML_MAGIC) {
      throw new Error(`Whisper model is not a whisper.cpp ggml model (no ggml magic number at its start): ${path}`);
    }
    const vocabulary = buffer.readInt32LE(4);
    if (vocabulary < ENGLISH_VOCAB || vocabulary > LARGEST_VOCAB) {
      throw new Error(`Whisper model has a vocabulary of ${vocabulary} tokens, not Whisper's ${ENGLISH_VOCAB}–${LARGEST_VOCAB}: it is a ggml model of another kind: ${path}`);
    }
    return { multilingual: vocabulary >= MULTILINGUAL_VOCAB };
  } finally {
    await file.close();
  }
}
