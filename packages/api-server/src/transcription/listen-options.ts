import { z } from 'zod';
import { ApiError, booleanOption } from '@stt/shared';

/** Languages the PocketSphinx US-English model serves (regional tags of English map to it). */
export const SUPPORTED_LANGUAGES = ['en'] as const;

const listenOptionsSchema = z.object({
  language: z.string().trim().toLowerCase().default('en'),
  punctuate: booleanOption.default(true),
  diarize: booleanOption.default(false),
  num_speakers: z.coerce.number().int().min(1).max(32).optional(),
  timestamps: booleanOption.default(false),
  callback_url: z.string().url().optional(),
});

export type ListenOptions = z.infer<typeof listenOptionsSchema>;

/**
 * Options of a transcription request, from query, form fields or JSON (merged by the caller).
 * Unknown names are ignored, as clients of such APIs expect; a bad value is INVALID_PARAMETER
 * naming it.
 */
export function parseListenOptions(raw: Readonly<Record<string, unknown>>): ListenOptions {
  const parsed = listenOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const parameter = String(parsed.error.issues[0]?.path[0] ?? 'options');
    throw new ApiError('INVALID_PARAMETER', `The value of ${parameter} is not valid.`, { parameter });
  }
  const options = parsed.data;
  const language = options.language.split(/[-_]/)[0] ?? '';
  if (!(SUPPORTED_LANGUAGES as readonly string[]).includes(language)) {
    throw new ApiError('UNSUPPORTED_LANGUAGE', `Language "${options.language}" is not supported.`, {
      supported_languages: SUPPORTED_LANGUAGES,
    });
  }
  if (options.diarize) {
    throw new ApiError('INVALID_PARAMETER', 'Diarization is not supported by the current engine yet.', { parameter: 'diarize' });
  }
  return { ...options, language };
}
