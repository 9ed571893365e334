/**
 * Everything needed to load one engine, as plain data: the worker builds it from its config, and
 * the model check passes it to a child process as JSON to load the model there first.
 */
export type EngineSpec = PocketSphinxSpec | WhisperSpec | SherpaOnnxSpec;

interface EngineSpecBase {
  /** Decoders (native contexts) for batch segments and finals: decodes at once. */
  readonly decoders: number;
  /** Live sessions at once. */
  readonly liveDecoders: number;
}

export interface PocketSphinxSpec extends EngineSpecBase {
  readonly engine: 'pocketsphinx';
  /** Folder with `en-us/`, `en-us.lm.bin` and `cmudict-en-us.dict`. */
  readonly modelDir: string;
}

/** Settings every engine that takes the user's own model shares. */
interface UserModelSpecBase extends EngineSpecBase {
  /** What clients name it by (`model`): the operator's file or archive name without its suffix. */
  readonly modelName: string;
  /** Threads each decoder uses. */
  readonly threads: number;
  /** `GPU_DEVICE_ID`: the device to decode on where the engine supports one; undefined for the CPU. */
  readonly gpuDevice: string | undefined;
}

export interface WhisperSpec extends UserModelSpecBase {
  readonly engine: 'whisper';
  /** A whisper.cpp ggml model file (`ggml-base.en.bin`). */
  readonly modelPath: string;
}

export interface SherpaOnnxSpec extends UserModelSpecBase {
  readonly engine: 'sherpa-onnx';
  /** An unpacked sherpa-onnx model archive: its `.onnx` files and `tokens.txt`. */
  readonly modelDir: string;
}
