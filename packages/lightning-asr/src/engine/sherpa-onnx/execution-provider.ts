import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nativeLibraryDir, type Provider } from './sherpa-onnx-node-binding.js';

/** What the models run on, as sherpa-onnx's `provider` and as the engine reports it (`gpu`). */
export interface ExecutionProvider {
  readonly provider: Provider;
  readonly gpu: string | null;
}

/** The library onnxruntime loads for its CUDA provider; the npm build of sherpa-onnx has none. */
const CUDA_PROVIDER_LIBRARY = 'libonnxruntime_providers_cuda.so';

/**
 * The CPU, or CUDA device `gpuDevice`. sherpa-onnx given `provider: 'cuda'` without a CUDA build
 * logs "Fallback to cpu!" to stderr and runs on the CPU (measured with 1.13.8): asking for a GPU
 * and not getting one is refused here instead. Its Node binding takes no device id, so a device
 * other than 0 is chosen the CUDA way, with `CUDA_VISIBLE_DEVICES` set to it.
 */
export function executionProvider(gpuDevice: string | undefined, libraryDir: string = nativeLibraryDir()): ExecutionProvider {
  if (gpuDevice === undefined) return { provider: 'cpu', gpu: null };
  if (!existsSync(join(libraryDir, CUDA_PROVIDER_LIBRARY))) {
    throw new Error(
      `GPU_DEVICE_ID=${gpuDevice} asks for CUDA, but the installed sherpa-onnx build is CPU-only (no ${CUDA_PROVIDER_LIBRARY} in ${libraryDir}); it would fall back to the CPU. Unset GPU_DEVICE_ID or install a CUDA build of sherpa-onnx`,
    );
  }
  const visible = process.env['CUDA_VISIBLE_DEVICES'];
  if (gpuDevice !== '0' && visible !== gpuDevice) {
    throw new Error(`GPU_DEVICE_ID=${gpuDevice}: sherpa-onnx's Node binding decodes on the first visible device; set CUDA_VISIBLE_DEVICES=${gpuDevice} too`);
  }
  return { provider: 'cuda', gpu: `cuda:${gpuDevice}` };
}
