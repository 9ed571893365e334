import { createHash } from 'node:crypto';
import { VERSION } from '@stt/shared';

/** A served model as Deepgram describes one: a UUID, and its name, version and architecture. */
export interface DeepgramModelInfo {
  readonly uuid: string;
  readonly name: string;
  readonly version: string;
  readonly arch: string;
}

/** `model` (run by `engine`) under a UUID derived from its name, so every answer names it alike. */
export function deepgramModelInfo(model: string, engine: string): DeepgramModelInfo {
  const hex = createHash('sha256').update(`model:${model}`).digest('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return { uuid, name: model, version: VERSION, arch: engine };
}
