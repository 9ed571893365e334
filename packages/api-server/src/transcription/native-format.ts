import Negotiator from 'negotiator';
import { z } from 'zod';
import { ApiError } from '@stt/shared';
import { TEXT_FORMAT_TYPES, type TextFormat } from './subtitles/text-formats.js';
import { validatedFields } from './validated-fields.js';

/** What `POST /v1/listen` answers with: its JSON body, or the transcript as text or subtitles. */
export type NativeFormat = 'json' | TextFormat;

/** The `format` option: also in the OpenAPI document's options of `POST /v1/listen`. */
export const nativeFormatSchema = z.object({ format: z.enum(['json', 'text', 'srt', 'vtt']).optional() });

/** The media types an `Accept` header may choose from; JSON first, for clients that accept anything. */
const OFFERED: Readonly<Record<string, NativeFormat>> = {
  'application/json': 'json',
  [TEXT_FORMAT_TYPES.srt]: 'srt',
  [TEXT_FORMAT_TYPES.vtt]: 'vtt',
  [TEXT_FORMAT_TYPES.text]: 'text',
};

/**
 * The `format` option, when given. A webhook always carries the JSON body, so a callback job
 * asking for another format is refused rather than answered in a format it did not ask for.
 */
export function requestedFormat(fields: Readonly<Record<string, unknown>>, callbackUrl: string | undefined): NativeFormat | undefined {
  const { format } = validatedFields(nativeFormatSchema, fields);
  if (format !== undefined && format !== 'json' && callbackUrl !== undefined) {
    throw new ApiError('INVALID_PARAMETER', `format=${format} cannot be used with callback_url: webhooks carry the JSON body.`, { parameter: 'format' });
  }
  return format;
}

/** The format to answer in: the `format` option, else the client's `Accept` header, else JSON. */
export function answerFormat(requested: NativeFormat | undefined, accept: string | undefined): NativeFormat {
  if (requested !== undefined) return requested;
  if (accept === undefined) return 'json';
  const preferred = new Negotiator({ headers: { accept } }).mediaType(Object.keys(OFFERED));
  return (preferred !== undefined && OFFERED[preferred]) || 'json';
}
