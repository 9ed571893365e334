import type { NativeLogLine } from './whisper-load-log.js';
import type { WhisperBuild } from './whisper-node-binding.js';

/** What whisper decodes on: the build of whisper.cpp to load, and the device as the engine reports it. */
export interface WhisperDevice {
  readonly build: WhisperBuild;
  readonly gpu: string | null;
}

/** whisper.cpp logs "whisper_backend_init_gpu: using CUDA0 backend" as it takes the GPU, then an error if that fails. */
const USING_CUDA = /using CUDA\d+ backend/;
const NO_GPU = /no GPU found|failed to initialize CUDA\d+ backend/;

/**
 * The CPU, or CUDA device `gpuDevice`. The addon always opens the first GPU it sees, so a device
 * other than 0 also needs `CUDA_VISIBLE_DEVICES` set to it (CUDA's own way of choosing).
 */
export function whisperDevice(gpuDevice: string | undefined): WhisperDevice {
  if (gpuDevice === undefined) return { build: 'cpu', gpu: null };
  const visible = process.env['CUDA_VISIBLE_DEVICES'];
  if (gpuDevice !== '0' && visible !== gpuDevice) {
    throw new Error(`GPU_DEVICE_ID=${gpuDevice}: whisper.cpp's Node binding decodes on the first visible device; set CUDA_VISIBLE_DEVICES=${gpuDevice} too`);
  }
  return { build: 'cuda', gpu: `cuda:${gpuDevice}` };
}

/**
 * Why a GPU asked for was not taken, or undefined. whisper.cpp's CUDA build without a usable GPU
 * logs "no GPU found" and decodes on the CPU; asking for a GPU and not getting one is refused.
 */
export function gpuRefusal(device: WhisperDevice, loadLog: readonly NativeLogLine[]): string | undefined {
  const refused = loadLog.find((line) => NO_GPU.test(line.text));
  if (device.gpu === null || (refused === undefined && loadLog.some((line) => USING_CUDA.test(line.text)))) return undefined;
  const said = refused === undefined ? '' : ` (${refused.text.replace(/^\w+: /, '')})`;
  return `GPU_DEVICE_ID is set, but whisper.cpp's CUDA build found no usable GPU${said}; it would decode on the CPU`;
}
