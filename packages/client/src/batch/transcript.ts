/** One recognised word, times in seconds from the start of the audio. */
export interface Word {
  readonly word: string;
  readonly start: number;
  readonly end: number;
  readonly confidence: number;
  readonly speaker?: string;
}

/** A stretch of speech (`utterances=true`, `paragraphs=true`). */
export interface TimedText {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly speaker?: string;
}

/** The 200 body of `POST /v1/listen` (format `json`). */
export interface Transcript {
  readonly request_id: string;
  readonly text: string;
  readonly confidence: number;
  /** Seconds of audio. */
  readonly duration: number;
  readonly language: string;
  /** With `timestamps: true`. */
  readonly words?: readonly Word[];
  readonly utterances?: readonly TimedText[];
  readonly paragraphs?: readonly TimedText[];
  /** With `diarize: true`: each speaker's turns, in time order, `speaker` as `SPEAKER_00`, `SPEAKER_01`, … */
  readonly speakers?: readonly TimedText[];
  readonly metadata: {
    readonly processing_time_ms: number;
    readonly rtf: number;
    readonly engine: string;
    readonly model: string;
    readonly [key: string]: unknown;
  };
}

/** The 202 body of a request with a `callback_url`. */
export interface AcceptedJob {
  readonly job_id: string;
  readonly request_id: string;
  readonly status: 'processing';
}

/** The server's error body as a failed job carries it. */
export interface JobError {
  readonly error: string;
  readonly code: string;
  readonly request_id?: string;
  readonly [key: string]: unknown;
}

/** `GET /v1/listen/{job_id}`, and the body of the callback the server POSTs. */
export type JobStatus =
  | { readonly job_id: string; readonly status: 'processing' }
  | { readonly job_id: string; readonly status: 'completed'; readonly result: Transcript }
  | { readonly job_id: string; readonly status: 'failed'; readonly error: JobError };
