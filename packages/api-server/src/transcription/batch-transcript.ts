import type { RecognizedWord, SpeakerEvidence, TranscriptionJobResult } from '@stt/shared';

/** A recognised word; once the transcript is diarized, with its speaker (0, 1, … by first word). */
export interface TranscriptWord extends RecognizedWord {
  readonly speaker?: number;
}

/** The joined result of all segments of one transcription. */
export interface BatchTranscript {
  readonly words: readonly TranscriptWord[];
  readonly durationSeconds: number;
  readonly engine: string;
  readonly model: string;
  readonly segments: number;
  /** Each segment's speaker evidence, in order (none for segments decoded without `diarize`). */
  readonly speakerEvidence: readonly (SpeakerEvidence | undefined)[];
}

/** The segments' results, in order, as one transcript of `durationSeconds` of audio. */
export function joinSegments(results: readonly TranscriptionJobResult[], durationSeconds: number): BatchTranscript {
  return {
    words: results.flatMap((segment) => segment.words),
    durationSeconds,
    engine: results[0]?.engine ?? 'unknown',
    model: results[0]?.model ?? 'unknown',
    segments: results.length,
    speakerEvidence: results.map((segment) => segment.speaker_evidence),
  };
}
