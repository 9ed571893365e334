import type { Word } from '../batch/transcript.js';

/** The server's first message: the session's id and its effective configuration. */
export interface SessionStarted {
  readonly type: 'session_started';
  readonly session_id: string;
  readonly [setting: string]: unknown;
}

/** An interim (`is_final: false`, may be revised) or final result; times in seconds from the first audio byte. */
export interface TranscriptionMessage {
  readonly type: 'transcription';
  readonly session_id: string;
  readonly transcript: string;
  readonly is_final: boolean;
  readonly is_last: boolean;
  readonly from_finalize?: boolean;
  readonly start: number;
  readonly end: number;
  readonly confidence: number;
  readonly words?: readonly Word[];
}

/** With `vadEvents: true`. */
export interface SpeechEvent {
  readonly type: 'speech_started' | 'speech_ended';
  readonly timestamp: number;
}

/** What the server sends before an abnormal close. */
export interface StreamErrorMessage {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  readonly retry_after?: number;
}

/** What a live stream's iterator yields. */
export type StreamMessage = TranscriptionMessage | SpeechEvent;
