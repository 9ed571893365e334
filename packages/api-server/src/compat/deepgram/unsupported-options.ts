import { ApiError } from '@stt/shared';

/** Deepgram's way of telling a client that part of its request was not honoured. */
export interface DeepgramWarning {
  readonly parameter: string;
  readonly type: string;
  readonly message: string;
}

/**
 * A Deepgram option this stack does not implement. An ignored one leaves a correct transcript
 * without the refinement asked for, so it is accepted and reported; a refused one asks for a
 * result the client would go looking for (a summary, a redacted text, a callback), so it gets a 400.
 */
interface Unsupported {
  readonly refused: boolean;
  readonly message: string;
  /** Values that ask for nothing (no warning, no refusal): `false` unless told. */
  readonly inert?: readonly string[];
}

const ignored = (message: string, inert?: readonly string[]): Unsupported => ({ refused: false, message, ...(inert ? { inert } : {}) });
const refused = (message: string): Unsupported => ({ refused: true, message });

const NO_LIVE_DIARIZER = 'Speaker diarization is available on pre-recorded audio only: live words carry no speaker.';
const ONE_DIARIZER = 'One diarizer is served (the workers choose it); diarize=true uses it.';
const NO_BOOSTING = 'Keyword boosting is not available with the served engine.';
const NO_CALLBACKS = 'Callbacks are not available on the Deepgram-compatible route; POST /v1/listen with callback_url is the native equivalent.';
const NO_INTELLIGENCE = 'Audio intelligence (summaries, topics, intents, sentiment, entities) is not available here.';

/** Options of both the pre-recorded and the live API. */
const COMMON: Readonly<Record<string, Unsupported>> = {
  dictation: ignored('Spoken punctuation commands are transcribed as words.'),
  filler_words: ignored('Filler words are neither added nor removed on request.'),
  keyterm: ignored(NO_BOOSTING, []),
  keywords: ignored(NO_BOOSTING, []),
  measurements: ignored('Measurements are left as spoken words.'),
  numerals: ignored('Numbers are left as spoken words.'),
  profanity_filter: ignored('No profanity filter is applied.'),
  replace: ignored('Term replacement is not available.', []),
  version: ignored('Each served model has one version.', ['latest']),
  tier: ignored('The tier option is deprecated: the model is chosen from model and language.', []),
  callback: refused(NO_CALLBACKS),
  callback_method: refused(NO_CALLBACKS),
  multichannel: refused('Channels are mixed to one: per-channel transcripts are not available.'),
  redact: refused('Redaction is not available: refused rather than answering with unredacted text.'),
  search: refused('Search is not available.'),
  detect_entities: refused(NO_INTELLIGENCE),
};

/** Options of the pre-recorded API only. */
export const BATCH_UNSUPPORTED: Readonly<Record<string, Unsupported>> = {
  ...COMMON,
  alternatives: ignored('One alternative is returned.', ['false', '1']),
  diarize_model: ignored(ONE_DIARIZER, []),
  diarize_version: ignored(ONE_DIARIZER, ['latest']),
  detect_language: ignored('Language detection is not available: the language option (default en) is used.'),
  utt_split: ignored('Utterances are split at the pauses the stack finds, not at utt_split.', []),
  encoding: ignored("The audio's own header says how it is encoded; headerless audio is not accepted.", []),
  sample_rate: ignored("The audio's own header gives its sample rate; headerless audio is not accepted.", []),
  channels: ignored("The audio's own header gives its channels; they are mixed to one.", []),
  sentiment: refused(NO_INTELLIGENCE),
  summarize: refused(NO_INTELLIGENCE),
  topics: refused(NO_INTELLIGENCE),
  custom_topic: refused(NO_INTELLIGENCE),
  custom_topic_mode: refused(NO_INTELLIGENCE),
  intents: refused(NO_INTELLIGENCE),
  custom_intent: refused(NO_INTELLIGENCE),
  custom_intent_mode: refused(NO_INTELLIGENCE),
};

/** Options of the live API only. */
export const LIVE_UNSUPPORTED: Readonly<Record<string, Unsupported>> = {
  ...COMMON,
  diarize: ignored(NO_LIVE_DIARIZER),
  diarize_model: ignored(NO_LIVE_DIARIZER, []),
  diarize_version: ignored(NO_LIVE_DIARIZER, []),
  no_delay: ignored('Finals come at endpoints: there is no formatting delay to skip.'),
  extra: ignored('Extra metadata is not echoed on live streams.', []),
  tag: ignored('Tags are not recorded on live streams.', []),
};

/**
 * The warnings for the unsupported options `fields` sets, per `table`; the first refused one
 * that asks for something throws INVALID_PARAMETER naming it.
 */
export function unsupportedOptionWarnings(fields: Readonly<Record<string, unknown>>, table: Readonly<Record<string, Unsupported>>): DeepgramWarning[] {
  const warnings: DeepgramWarning[] = [];
  for (const [parameter, value] of Object.entries(fields)) {
    const option = table[parameter];
    if (option === undefined || [value].flat().every((one) => (option.inert ?? ['false']).includes(String(one)))) continue;
    if (option.refused) throw new ApiError('INVALID_PARAMETER', `${parameter}: ${option.message}`, { parameter });
    warnings.push({ parameter, type: 'unsupported_feature', message: option.message });
  }
  return warnings;
}

/** The warning for a Deepgram model name answered by a model served here. */
export function substitutedModelWarning(requested: string, served: string): DeepgramWarning {
  return { parameter: 'model', type: 'model_substituted', message: `Deepgram's "${requested}" is answered by "${served}", the best model served here for the language.` };
}
