import type { UploadProgressListener } from './upload-progress.js';

/** Formats `POST /v1/listen` answers in: a JSON transcript, or the text of plain text and subtitles. */
export type TranscriptFormat = 'json' | 'text' | 'srt' | 'vtt';

/** Options of `POST /v1/listen` (sent as query parameters, or JSON fields with a URL). */
export interface ListenOptions {
  readonly language?: string;
  readonly model?: string;
  readonly punctuate?: boolean;
  /** Speaker turns (`speakers`) and a `speaker` on each word and utterance. */
  readonly diarize?: boolean;
  /** With `diarize`: exactly this many speakers; else the count is estimated, within the bounds below. */
  readonly numSpeakers?: number;
  readonly minSpeakers?: number;
  readonly maxSpeakers?: number;
  /** Word timings (`words`). */
  readonly timestamps?: boolean;
  readonly utterances?: boolean;
  readonly paragraphs?: boolean;
}

/** What each call takes besides the API's options. */
export interface RequestOptions {
  /** Sent as `X-Request-ID`, so the server's logs of this request can be found. */
  readonly requestId?: string;
  readonly signal?: AbortSignal;
  /** Called as the upload is sent (not for URLs, which the server fetches itself). */
  readonly onUploadProgress?: UploadProgressListener;
  /** Bytes of a stream input, when known: upload progress then has a total. */
  readonly size?: number;
}

export interface TranscribeOptions extends ListenOptions, RequestOptions {
  readonly format?: TranscriptFormat;
}

export interface SubmitOptions extends ListenOptions, RequestOptions {
  /** Where the server POSTs the signed result. */
  readonly callbackUrl: string;
}

const WIRE_NAMES: Readonly<Record<keyof ListenOptions | 'format' | 'callbackUrl', string>> = {
  language: 'language',
  model: 'model',
  punctuate: 'punctuate',
  diarize: 'diarize',
  numSpeakers: 'num_speakers',
  minSpeakers: 'min_speakers',
  maxSpeakers: 'max_speakers',
  timestamps: 'timestamps',
  utterances: 'utterances',
  paragraphs: 'paragraphs',
  format: 'format',
  callbackUrl: 'callback_url',
};

/** The API's options of `options` by their wire names (the client's own options left out). */
export function wireOptions(options: Partial<TranscribeOptions & SubmitOptions>): Record<string, string | number | boolean> {
  const wire: Record<string, string | number | boolean> = {};
  for (const [name, wireName] of Object.entries(WIRE_NAMES)) {
    const value = options[name as keyof typeof WIRE_NAMES];
    if (value !== undefined) wire[wireName] = value;
  }
  return wire;
}
