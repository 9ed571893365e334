import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import { createEngine } from '../create-engine.js';
import type { EngineSpec } from '../engine-spec.js';
import type { ModelCheckMessage } from './model-check-message.js';
import { refuseVad } from './refuse-vad.js';

/**
 * The child process of the model check (`check-model.ts` forks it): loads the engine its first
 * argument names, with one decoder, decodes a second of silence, reports over IPC and exits. A
 * model that crashes the native library ends this process, not the worker.
 */
async function main(): Promise<ModelCheckMessage> {
  const argument = process.argv[2];
  if (argument === undefined) throw new Error('model-check-main takes an EngineSpec, as JSON, as its argument');
  // The parent wrote it with JSON.stringify from an EngineSpec.
  const spec = JSON.parse(argument) as EngineSpec;
  const engine = await createEngine({ ...spec, decoders: 1, liveDecoders: 0 }, refuseVad);
  try {
    await engine.transcribe(new Int16Array(ENGINE_SAMPLE_RATE));
  } finally {
    engine.close();
  }
  return { type: 'passed' };
}

function report(message: ModelCheckMessage): void {
  // Exit once the message is out: a native library may hold the event loop open.
  if (process.send) process.send(message, () => process.exit(message.type === 'passed' ? 0 : 1));
  else process.exit(2);
}

main().then(report, (error: unknown) => report({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
