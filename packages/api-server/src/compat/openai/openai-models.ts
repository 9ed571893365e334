import { ApiError } from '@stt/shared';
import type { ModelCatalog, ServedModel } from '../../asr/model-catalog.js';

/**
 * OpenAI's own transcription models (`whisper-1`, `gpt-4o-transcribe`, `gpt-4o-mini-transcribe`,
 * their dated and diarizing variants): an application written for OpenAI names one of these,
 * and means "transcribe this", so each stands for the best model served for the language.
 */
const OPENAI_MODEL = /^(whisper-1|gpt-[a-z0-9.]*-?(mini-)?transcribe(-[a-z0-9-]+)?)$/;

/** The models a request may name: the workers' own, and OpenAI's. */
export type NamedModel = { readonly kind: 'served'; readonly served: ServedModel } | { readonly kind: 'openai' };

/** What `model` names; 400 listing the served models for anything else. */
export function namedModel(catalog: ModelCatalog, model: string): NamedModel {
  const served = servedModels(catalog).find((candidate) => candidate.model === model);
  if (served !== undefined) return { kind: 'served', served };
  if (OPENAI_MODEL.test(model)) return { kind: 'openai' };
  const names = servedModels(catalog).map((candidate) => candidate.model);
  throw new ApiError(
    'INVALID_PARAMETER',
    `The model "${model}" is not served here. Served: ${names.join(', ') || 'none'}; OpenAI's names (whisper-1, gpt-4o-transcribe, gpt-4o-mini-transcribe) mean the best of them for the language.`,
    { parameter: 'model', supported_models: names },
  );
}

/** `GET /v1/models`: what the workers serve, as OpenAI lists models. */
export function modelList(catalog: ModelCatalog) {
  return { object: 'list', data: servedModels(catalog).map(modelObject) };
}

/** `GET /v1/models/{model}`: one served model; 404 for any other. */
export function modelObjectNamed(catalog: ModelCatalog, model: string) {
  const served = servedModels(catalog).find((candidate) => candidate.model === model);
  if (served === undefined) throw new ApiError('NOT_FOUND', `The model "${model}" is not served here.`, { parameter: 'model' });
  return modelObject(served);
}

/** `created` is OpenAI's release date of a model; a served model has none, so 0. */
const modelObject = (served: ServedModel) => ({ id: served.model, object: 'model', created: 0, owned_by: served.engine });

const servedModels = (catalog: ModelCatalog): readonly ServedModel[] => catalog.models.filter((served) => served.model !== 'unknown');
