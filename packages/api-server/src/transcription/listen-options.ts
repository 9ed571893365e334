import { z } from 'zod';
import { ApiError, booleanOption } from '@stt/shared';
import { validatedFields } from './validated-fields.js';

export const listenOptionsSchema = z.object({
  language: z.string().trim().toLowerCase().default('en'),
  /** A model the workers serve (`/health?detailed=true` lists them); unset: the best one for the language. */
  model: z.string().trim().min(1).max(200).optional(),
  punctuate: booleanOption.default(true),
  diarize: booleanOption.default(false),
  num_speakers: z.coerce.number().int().min(1).max(32).optional(),
  timestamps: booleanOption.default(false),
  /** Adds `utterances`: the sentences (words between pauses) with times and confidences. */
  utterances: booleanOption.default(false),
  /** Adds `paragraphs`: sentences grouped at longer pauses. */
  paragraphs: booleanOption.default(false),
  callback_url: z.string().url().optional(),
});

export type ListenOptions = z.infer<typeof listenOptionsSchema>;

/**
 * Options of a transcription request, from query, form fields or JSON (merged by the caller).
 * Unknown names are ignored, as clients of such APIs expect; a bad value is INVALID_PARAMETER
 * naming it. The language is reduced to its primary tag (`en-US` → `en`); whether a model serves
 * it is the model catalog's to say.
 */
export function parseListenOptions(raw: Readonly<Record<string, unknown>>): ListenOptions {
  const options = validatedFields(listenOptionsSchema, raw);
  const language = primaryLanguage(options.language);
  if (options.diarize) {
    throw new ApiError('INVALID_PARAMETER', 'Diarization is not supported by the current engine yet.', { parameter: 'diarize' });
  }
  return { ...options, language };
}

/** `en-US`, `en_gb` → `en`: models are chosen by primary language. */
export function primaryLanguage(tag: string): string {
  return tag.split(/[-_]/)[0] ?? '';
}
