import type { RecognizedWord, TranscriptionJobResult } from '@stt/shared';

/** The joined result of all segments of one transcription. */
export interface BatchTranscript {
  readonly words: readonly RecognizedWord[];
  readonly durationSeconds: number;
  readonly engine: string;
  readonly model: string;
  readonly segments: number;
}

/** The segments' results, in order, as one transcript of `durationSeconds` of audio. */
export function joinSegments(results: readonly TranscriptionJobResult[], durationSeconds: number): BatchTranscript {
  return {
    words: results.flatMap((segment) => segment.words),
    durationSeconds,
    engine: results[0]?.engine ?? 'unknown',
    model: results[0]?.model ?? 'unknown',
    segments: results.length,
  };
}
