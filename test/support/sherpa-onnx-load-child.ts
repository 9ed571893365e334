/**
 * Loads a sherpa-onnx model folder with `SherpaOnnxEngine.load` in a process of its own, so a
 * model that kills the native library kills only this process. Argument: the model folder.
 * Prints one JSON line, `{"loaded":true,"streaming":…}` or `{"loaded":false,"message":…}`.
 */
import { SherpaOnnxEngine } from '../../packages/lightning-asr/src/engine/sherpa-onnx/sherpa-onnx-engine.js';

const modelDir = process.argv[2];
if (modelDir === undefined) throw new Error('usage: sherpa-onnx-load-child.ts <model folder>');
const spec = { engine: 'sherpa-onnx', modelDir, modelName: 'model', decoders: 1, liveDecoders: 1, threads: 1, gpuDevice: undefined } as const;
try {
  const engine = await SherpaOnnxEngine.load(spec, () => {
    throw new Error('no VAD in the load check');
  });
  console.log(JSON.stringify({ loaded: true, streaming: engine.capabilities.streaming }));
} catch (error) {
  console.log(JSON.stringify({ loaded: false, message: error instanceof Error ? error.message : String(error) }));
}
