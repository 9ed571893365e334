import { z } from 'zod';
import { ApiError, booleanOption, STREAM_ENCODINGS, streamQuerySchema, type StreamQuery } from '@stt/shared';
import { validatedFields } from '../../transcription/validated-fields.js';
import { isDeepgramModel, servedModelOption } from './deepgram-models.js';
import { LIVE_UNSUPPORTED, unsupportedOptionWarnings, type DeepgramWarning } from './unsupported-options.js';

/** The endpointer's silence, as the native `eou_timeout_ms` allows it. */
const EOU_RANGE_MS = { min: 100, max: 10_000 } as const;

/** The live options this stack implements, with Deepgram's defaults (no interims, no punctuation). */
export const liveQuerySchema = z.object({
  model: z.string().trim().min(1).max(200).optional(),
  language: z.string().trim().min(1).max(35).default('en'),
  encoding: z.string().default('linear16'),
  sample_rate: z.coerce.number().int().min(8000).max(48_000).default(16_000),
  channels: z.coerce.number().int().min(1).default(1),
  interim_results: booleanOption.default(false),
  /** Milliseconds of silence that end an utterance, `true` for the default, or `false` for none. */
  endpointing: z.union([z.coerce.number().int().min(0), booleanOption]).optional(),
  utterance_end_ms: z.coerce.number().int().min(1).max(60_000).optional(),
  vad_events: booleanOption.default(false),
  punctuate: booleanOption.default(false),
  smart_format: booleanOption.default(false),
});

/** What the Deepgram protocol needs beyond the native stream options. */
export interface DeepgramLiveOptions {
  /** Whether an `UtteranceEnd` follows each final the endpointer ended. */
  readonly utteranceEnd: boolean;
  /** The Deepgram model name asked for, when one was (answered by the best model served). */
  readonly deepgramModel: string | undefined;
  readonly warnings: readonly DeepgramWarning[];
}

/**
 * A Deepgram live query as the native stream query and Deepgram's own options. Refused before
 * the upgrade: audio this stack cannot take live (an encoding other than linear16, mulaw or
 * alaw; more than one channel), and the options `unsupported-options.ts` refuses.
 * `endpointing` in ms becomes the endpointer's silence (100–10000 ms; unset: the native 800 ms,
 * as Deepgram's 10 ms default would cut PocketSphinx's utterances apart).
 */
export function parseDeepgramLiveQuery(raw: unknown): { query: StreamQuery; own: DeepgramLiveOptions } {
  const fields = typeof raw === 'object' && raw !== null ? (raw as Readonly<Record<string, unknown>>) : {};
  const options = validatedFields(liveQuerySchema, fields);
  if (!(STREAM_ENCODINGS as readonly string[]).includes(options.encoding)) {
    throw new ApiError('INVALID_PARAMETER', `Live audio must be raw ${STREAM_ENCODINGS.join(', ')} here (encoding=${options.encoding} is not decoded live).`, {
      parameter: 'encoding',
    });
  }
  if (options.channels !== 1) {
    throw new ApiError('INVALID_PARAMETER', 'Live audio must have one channel (channels=1): mix it down before sending.', { parameter: 'channels' });
  }
  const warnings = unsupportedOptionWarnings(fields, LIVE_UNSUPPORTED);
  const model = servedModelOption(options.model);
  const { endpointing } = options;
  const query = streamQuerySchema.parse({
    language: options.language,
    ...(model !== undefined ? { model } : {}),
    encoding: options.encoding,
    sample_rate: options.sample_rate,
    punctuate: options.punctuate || options.smart_format,
    word_timestamps: true,
    interim_results: options.interim_results,
    vad_events: options.vad_events,
    endpointing: endpointing !== false,
    ...(typeof endpointing === 'number' ? { eou_timeout_ms: Math.min(Math.max(endpointing, EOU_RANGE_MS.min), EOU_RANGE_MS.max) } : {}),
  });
  return {
    query,
    own: {
      utteranceEnd: options.utterance_end_ms !== undefined,
      deepgramModel: options.model !== undefined && isDeepgramModel(options.model) ? options.model : undefined,
      warnings,
    },
  };
}
