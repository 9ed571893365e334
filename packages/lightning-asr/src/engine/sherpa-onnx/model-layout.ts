import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * Which sherpa-onnx recognizer an unpacked model archive is for, with the paths of its files.
 * `transducer` covers zipformer/conformer transducers (offline, or online when `streaming`) and
 * NeMo transducers such as Parakeet-TDT (`modelType: 'nemo_transducer'`).
 */
export type ModelLayout =
  | { readonly kind: 'transducer'; readonly streaming: boolean; readonly modelType: '' | 'nemo_transducer'; readonly encoder: string; readonly decoder: string; readonly joiner: string; readonly tokens: string }
  | { readonly kind: 'whisper'; readonly encoder: string; readonly decoder: string; readonly tokens: string }
  | { readonly kind: 'moonshine'; readonly preprocessor: string; readonly encoder: string; readonly uncachedDecoder: string; readonly cachedDecoder: string; readonly tokens: string }
  | { readonly kind: 'sense-voice'; readonly model: string; readonly tokens: string }
  | { readonly kind: 'paraformer'; readonly model: string; readonly tokens: string };

/**
 * Optional `sherpa-onnx-model.json` beside the model, `{ "streaming": true }`: says whether a
 * transducer is an online one when the folder no longer has its archive's name (a cache folder).
 */
export const SIDECAR_FILE = 'sherpa-onnx-model.json';

const SUPPORTED = [
  'transducer: encoder*.onnx + decoder*.onnx + joiner*.onnx + tokens.txt (online when the folder name has "streaming" or the sidecar says so; NeMo/Parakeet when it has "nemo" or "parakeet")',
  'whisper: *-encoder.onnx + *-decoder.onnx + *tokens.txt, "whisper" in the folder name',
  'moonshine: preprocess.onnx + encode*.onnx + uncached_decode*.onnx + cached_decode*.onnx + tokens.txt',
  'sense-voice: model*.onnx + tokens.txt, "sense-voice" in the folder name',
  'paraformer: model*.onnx + tokens.txt, "paraformer" in the folder name',
];

export interface LayoutOptions {
  /**
   * Official archives often ship each file as `x.onnx` and `x.int8.onnx`. The int8 one is about a
   * quarter of the size and faster on the CPU, at about the same accuracy, so it is taken there;
   * on CUDA the float one is (int8 kernels are slow or missing on onnxruntime's CUDA provider).
   * Whichever exists is taken when only one does.
   */
  readonly preferInt8: boolean;
}

/** The layout of the model folder `dir`, or an Error saying what was found and what is supported. */
export async function detectModelLayout(dir: string, options: LayoutOptions): Promise<ModelLayout> {
  const files = await listFiles(dir);
  const name = basename(dir).toLowerCase();
  const onnx = (role: string): string | undefined => pickOnnx(dir, files, role, options.preferInt8);
  const tokens = (): string => tokensFile(dir, files);
  const unrecognised = (): Error =>
    new Error(`No sherpa-onnx model layout recognised in ${dir} (files: ${files.join(', ') || 'none'}). Supported layouts: ${SUPPORTED.join('; ')}`);

  const [preprocessor, encode, uncachedDecoder, cachedDecoder] = ['preprocess', 'encode', 'uncached_decode', 'cached_decode'].map(onnx);
  if (preprocessor && encode && uncachedDecoder && cachedDecoder) {
    return { kind: 'moonshine', preprocessor, encoder: encode, uncachedDecoder, cachedDecoder, tokens: tokens() };
  }
  const [encoder, decoder, joiner] = ['encoder', 'decoder', 'joiner'].map(onnx);
  if (encoder && decoder && joiner) {
    const streaming = (await sidecarStreaming(dir, files)) ?? name.includes('streaming');
    // Online NeMo transducers are told apart by sherpa-onnx from their metadata; offline ones are not.
    const modelType = !streaming && /nemo|parakeet/.test(name) ? 'nemo_transducer' : '';
    return { kind: 'transducer', streaming, modelType, encoder, decoder, joiner, tokens: tokens() };
  }
  if (encoder && decoder && name.includes('whisper')) return { kind: 'whisper', encoder, decoder, tokens: tokens() };
  const model = onnx('model');
  if (model && /sense-?voice/.test(name)) return { kind: 'sense-voice', model, tokens: tokens() };
  if (model && name.includes('paraformer')) return { kind: 'paraformer', model, tokens: tokens() };
  throw unrecognised();
}

/** Every file of the layout, for checks before the native load. */
export function layoutFiles(layout: ModelLayout): string[] {
  switch (layout.kind) {
    case 'transducer':
      return [layout.encoder, layout.decoder, layout.joiner, layout.tokens];
    case 'whisper':
      return [layout.encoder, layout.decoder, layout.tokens];
    case 'moonshine':
      return [layout.preprocessor, layout.encoder, layout.uncachedDecoder, layout.cachedDecoder, layout.tokens];
    case 'sense-voice':
    case 'paraformer':
      return [layout.model, layout.tokens];
  }
}

/**
 * Refuses empty files before sherpa-onnx sees them: an empty `.onnx` aborts the process in the
 * online recognizer (an uncaught C++ exception), and an empty tokens file is no model either.
 */
export async function assertFilesNotEmpty(layout: ModelLayout): Promise<void> {
  for (const file of layoutFiles(layout)) {
    if ((await stat(file)).size === 0) throw new Error(`The sherpa-onnx model file ${file} is empty (0 bytes)`);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`The sherpa-onnx model folder ${dir} does not exist`);
    if (code === 'ENOTDIR') throw new Error(`The sherpa-onnx model path ${dir} is not a folder (an unpacked model archive is)`);
    throw error;
  }
}

/**
 * The `.onnx` file for a role: `encoder.onnx`, `encoder-epoch-99-avg-1.int8.onnx`,
 * `tiny.en-encoder.onnx` (the role a whole part of the name, so `decode` is not `decoder` and
 * `cached_decode` is not `uncached_decode`). Two candidates of the same precision are ambiguous.
 */
function pickOnnx(dir: string, files: readonly string[], role: string, preferInt8: boolean): string | undefined {
  const pattern = new RegExp(`(^|[-_.])${role}([-_.][^/]*)?\\.onnx$`);
  const candidates = files.filter((file) => pattern.test(file));
  const int8 = candidates.filter((file) => file.endsWith('.int8.onnx'));
  const float = candidates.filter((file) => !file.endsWith('.int8.onnx'));
  const preferred = preferInt8 ? (int8.length > 0 ? int8 : float) : float.length > 0 ? float : int8;
  if (preferred.length > 1) throw new Error(`Several ${role} files in ${dir}: ${preferred.join(', ')}; keep one`);
  return preferred[0] === undefined ? undefined : join(dir, preferred[0]);
}

/** `tokens.txt`, or whisper's `<size>-tokens.txt`. */
function tokensFile(dir: string, files: readonly string[]): string {
  if (files.includes('tokens.txt')) return join(dir, 'tokens.txt');
  const named = files.filter((file) => file.endsWith('-tokens.txt'));
  if (named.length === 1) return join(dir, named[0]!);
  throw new Error(`The sherpa-onnx model folder ${dir} has no tokens.txt (files: ${files.join(', ')})`);
}

async function sidecarStreaming(dir: string, files: readonly string[]): Promise<boolean | undefined> {
  if (!files.includes(SIDECAR_FILE)) return undefined;
  const path = join(dir, SIDECAR_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const streaming = typeof parsed === 'object' && parsed !== null ? (parsed as { streaming?: unknown }).streaming : undefined;
  if (streaming === undefined) return undefined;
  if (typeof streaming !== 'boolean') throw new Error(`${path}: "streaming" must be true or false`);
  return streaming;
}
