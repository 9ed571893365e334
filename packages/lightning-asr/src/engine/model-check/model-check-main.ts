import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import { createEngine } from '../create-engine.js';
import type { EngineSpec } from '../engine-spec.js';
import { refuseVad } from './refuse-vad.js';
import { reportModelCheck } from './report-model-check.js';

/**
 * The child process of the model check (`check-model.ts` forks it): loads the engine its first
 * argument names, with one decoder, decodes a second of silence, reports over IPC and exits. A
 * model that crashes the native library ends this process, not the worker.
 */
reportModelCheck(async () => {
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
});
