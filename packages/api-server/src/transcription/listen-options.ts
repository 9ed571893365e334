import { z } from 'zod';
import { ApiError, booleanOption } from '@stt/shared';
import { validatedFields } from './validated-fields.js';

/** More speakers than this in one recording is beyond what the diarizers tell apart. */
export const MAX_SPEAKERS = 16;

export const listenOptionsSchema = z.object({
  language: z.string().trim().toLowerCase().default('en'),
  /** A model the workers serve (`/health?detailed=true` lists them); unset: the best one for the language. */
  model: z.string().trim().min(1).max(200).optional(),
  punctuate: booleanOption.default(true),
  /** Adds `speakers` (turns) and a `speaker` on each word. */
  diarize: booleanOption.default(false),
  /** Exactly this many speakers (with `diarize`); unset, the count is estimated. */
  num_speakers: z.coerce.number().int().min(1).max(MAX_SPEAKERS).optional(),
  /** Bounds on the estimated count (with `diarize`, instead of `num_speakers`). */
  min_speakers: z.coerce.number().int().min(1).max(MAX_SPEAKERS).optional(),
  max_speakers: z.coerce.number().int().min(1).max(MAX_SPEAKERS).optional(),
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
  assertSpeakerCounts(options);
  return { ...options, language };
}

/** The speaker counts make sense only with `diarize`, and either exactly or as bounds. */
function assertSpeakerCounts(options: ListenOptions): void {
  const given = (['num_speakers', 'min_speakers', 'max_speakers'] as const).filter((name) => options[name] !== undefined);
  const refuse = (parameter: string, sentence: string): never => {
    throw new ApiError('INVALID_PARAMETER', sentence, { parameter });
  };
  if (!options.diarize && given.length > 0) refuse(given[0]!, `${given[0]} needs diarize=true.`);
  if (options.num_speakers !== undefined && given.length > 1) {
    refuse('num_speakers', 'Give num_speakers (an exact count) or min_speakers/max_speakers (bounds), not both.');
  }
  if (options.min_speakers !== undefined && options.max_speakers !== undefined && options.min_speakers > options.max_speakers) {
    refuse('min_speakers', 'min_speakers is greater than max_speakers.');
  }
}

/** `en-US`, `en_gb` → `en`: models are chosen by primary language. */
export function primaryLanguage(tag: string): string {
  return tag.split(/[-_]/)[0] ?? '';
}
