import { z } from 'zod';
import { ApiError, booleanOption } from '@stt/shared';
import type { ModelCatalog } from '../../asr/model-catalog.js';
import type { DialectOptions } from '../../routes/batch-route.js';
import { parseListenOptions } from '../../transcription/listen-options.js';
import { validatedFields } from '../../transcription/validated-fields.js';
import { namedModel } from './openai-models.js';

export type OpenAiResponseFormat = 'json' | 'text' | 'srt' | 'vtt' | 'verbose_json' | 'diarized_json';

/** What an OpenAI request asks of its answer. */
export interface OpenAiAnswerOptions {
  readonly responseFormat: OpenAiResponseFormat;
  /** `verbose_json` has `segments` (unless only word timestamps were asked for) and `words` (when they were). */
  readonly segments: boolean;
  readonly words: boolean;
}

const granularity = z.enum(['word', 'segment']);
/** A list field: one value, or several (`name[]` repeated in a form, an array in JSON). */
const listOf = <Item extends z.ZodType>(item: Item) => z.union([item, z.array(item)]).transform((value) => [value].flat());

/**
 * OpenAI's fields, as its SDKs send them (multipart, list fields as `name[]`). `prompt`,
 * `temperature`, `chunking_strategy`, `include[]` and the rest are read for their validity only
 * or not at all: PocketSphinx has nothing to do with them (docs/compatibility.md lists each).
 */
export const openAiFieldsSchema = z.object({
  model: z.string().trim().min(1),
  language: z.string().trim().toLowerCase().min(1).optional(),
  prompt: z.string().optional(),
  /** `diarized_json` (OpenAI's `gpt-4o-transcribe-diarize`) diarizes, with any model named. */
  response_format: z.enum(['json', 'text', 'srt', 'vtt', 'verbose_json', 'diarized_json']).default('json'),
  temperature: z.coerce.number().min(0).max(1).optional(),
  'timestamp_granularities[]': listOf(granularity).optional(),
  timestamp_granularities: listOf(granularity).optional(),
  stream: booleanOption.default(false),
});

/**
 * The request's fields as native options (the model it names, its language) and the answer it
 * wants. Without `language`, the named model's own language, else English: nothing here
 * detects the language.
 */
export function parseOpenAiOptions(catalog: ModelCatalog, fields: Readonly<Record<string, unknown>>): DialectOptions<OpenAiAnswerOptions> {
  if (fields.model === undefined) throw new ApiError('MISSING_PARAMETER', 'You must provide a model parameter.', { parameter: 'model' });
  const parsed = validatedFields(openAiFieldsSchema, fields);
  if (parsed.stream) {
    throw new ApiError('INVALID_PARAMETER', 'Streamed transcription events are not supported here; leave stream unset (the live API is /v1/listen/stream).', {
      parameter: 'stream',
    });
  }
  const named = namedModel(catalog, parsed.model);
  const served = named.kind === 'served' ? named.served : undefined;
  const listen = parseListenOptions({
    language: parsed.language ?? served?.languages[0] ?? 'en',
    ...(served !== undefined ? { model: served.model } : {}),
    diarize: parsed.response_format === 'diarized_json',
  });
  const granularities = parsed['timestamp_granularities[]'] ?? parsed.timestamp_granularities ?? ['segment'];
  return {
    listen,
    own: { responseFormat: parsed.response_format, segments: granularities.includes('segment'), words: granularities.includes('word') },
  };
}
