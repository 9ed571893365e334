import { z } from 'zod';
import { booleanOption } from '@stt/shared';
import type { DialectOptions } from '../../routes/batch-route.js';
import { parseListenOptions } from '../../transcription/listen-options.js';
import { isDeepgramModel, servedModelOption } from './deepgram-models.js';
import { validatedFields } from '../../transcription/validated-fields.js';
import { BATCH_UNSUPPORTED, unsupportedOptionWarnings, type DeepgramWarning } from './unsupported-options.js';

/** A query option given once or repeated (`tag=a&tag=b`), as a list. */
const repeatable = (item: z.ZodString) =>
  z
    .union([item, z.array(item)])
    .optional()
    .transform((value) => (value === undefined ? [] : [value].flat()));

/** The pre-recorded options this stack implements, with Deepgram's defaults (punctuation off). */
export const batchQuerySchema = z.object({
  model: z.string().trim().min(1).max(200).optional(),
  language: z.string().trim().min(1).max(35).default('en'),
  punctuate: booleanOption.default(false),
  smart_format: booleanOption.default(false),
  utterances: booleanOption.default(false),
  paragraphs: booleanOption.default(false),
  /** A `speaker` on each word and utterance; the count is estimated (Deepgram takes none). */
  diarize: booleanOption.default(false),
  /** `key:value` pairs echoed in `metadata.extra`. */
  extra: repeatable(z.string().regex(/^[^:]+:/)),
  tag: repeatable(z.string()),
});

/** What the Deepgram answer needs beyond the native options. */
export interface DeepgramBatchOptions {
  readonly punctuate: boolean;
  readonly utterances: boolean;
  readonly paragraphs: boolean;
  /** The Deepgram model name asked for, when one was (answered by the best model served). */
  readonly deepgramModel: string | undefined;
  readonly extra: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  readonly warnings: readonly DeepgramWarning[];
}

/**
 * A Deepgram pre-recorded request's query (and JSON body, for `{url}`) as native options and
 * Deepgram's own. `smart_format` brings punctuation and paragraphs (numbers, dates and the like
 * stay as spoken); unsupported options are reported or refused (`unsupported-options.ts`).
 */
export function parseDeepgramBatchOptions(fields: Readonly<Record<string, unknown>>): DialectOptions<DeepgramBatchOptions> {
  const query = validatedFields(batchQuerySchema, fields);
  const warnings = unsupportedOptionWarnings(fields, BATCH_UNSUPPORTED);
  const punctuate = query.punctuate || query.smart_format;
  const model = servedModelOption(query.model);
  return {
    listen: parseListenOptions({ language: query.language, punctuate, timestamps: true, diarize: query.diarize, ...(model !== undefined ? { model } : {}) }),
    own: {
      punctuate,
      utterances: query.utterances,
      paragraphs: query.paragraphs || query.smart_format,
      deepgramModel: query.model !== undefined && isDeepgramModel(query.model) ? query.model : undefined,
      extra: Object.fromEntries(query.extra.map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)])),
      tags: query.tag,
      warnings,
    },
  };
}
