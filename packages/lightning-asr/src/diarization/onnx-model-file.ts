import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Beside `model.int8.onnx` in sherpa-onnx's pyannote archive; the float model is the one its examples load. */
const PREFERRED = 'model.onnx';

/**
 * The `.onnx` file of a diarization model as `resolveModel` gave it: the file itself, or the one
 * `.onnx` of an unpacked archive (sherpa-onnx ships the pyannote model as
 * `sherpa-onnx-pyannote-segmentation-3-0.tar.bz2`), `model.onnx` where there are several.
 */
export async function onnxModelFile(path: string): Promise<string> {
  if (!(await stat(path)).isDirectory()) return path;
  const models = (await readdir(path)).filter((name) => name.endsWith('.onnx')).sort();
  const [only] = models;
  if (models.length === 1 && only !== undefined) return join(path, only);
  if (models.includes(PREFERRED)) return join(path, PREFERRED);
  throw new Error(`The model folder ${path} holds no .onnx file to take (found: ${models.join(', ') || 'none'})`);
}
