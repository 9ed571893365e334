import type { OnlineRecognizer, OnlineStream } from './sherpa-onnx-node-binding.js';

/**
 * Decodes every chunk the online stream has audio for. `decode` is synchronous (the binding has
 * no async one for online streams): the event loop is given back after each chunk.
 */
export async function decodeReady(recognizer: OnlineRecognizer, stream: OnlineStream): Promise<void> {
  while (recognizer.isReady(stream)) {
    recognizer.decode(stream);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
