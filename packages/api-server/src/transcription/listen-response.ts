import type { BatchTranscript, TranscriptWord } from './batch-transcript.js';
import type { ListenOptions } from './listen-options.js';
import { sentences } from './punctuate.js';
import {
  nativeWord,
  paragraphSpans,
  speakerSpans,
  textSpan,
  utterances,
  type NativeWord,
  type Paragraph,
  type SpeakerSpan,
  type Utterance,
} from './transcript-structure.js';
import { overallConfidence } from './word-confidence.js';

// Where the live transcripts import it from.

export interface ListenResponse {
  request_id: string;
  text: string;
  confidence: number;
  duration: number;
  language: string;
  words?: NativeWord[];
  utterances?: Utterance[];
  speakers?: SpeakerSpan[];
  paragraphs?: Paragraph[];
  metadata: { processing_time_ms: number; rtf: number; engine: string; model: string; segments: number };
}

/** The contract's 200 body of `POST /v1/listen`. */
export function listenResponse(
  requestId: string,
  transcript: BatchTranscript,
  options: Pick<ListenOptions, 'punctuate' | 'timestamps' | 'language' | 'utterances' | 'paragraphs' | 'diarize'>,
  processingMs: number,
): ListenResponse {
  const duration = round(transcript.durationSeconds, 3);
  return {
    request_id: requestId,
    text: textSpan(transcript.words, options.punctuate).text,
    confidence: round(overallConfidence(transcript.words), 3),
    duration,
    language: options.language,
    ...(options.timestamps ? { words: transcript.words.map(nativeWord) } : {}),
    ...(options.utterances ? { utterances: utterances(transcript.words, { punctuated: options.punctuate, withWords: options.timestamps }) } : {}),
    ...(options.paragraphs ? { paragraphs: paragraphSpans(transcript.words, options.punctuate) } : {}),
    ...(options.diarize ? { speakers: speakerSpans(transcript.words, options.punctuate) } : {}),
    metadata: {
      processing_time_ms: Math.round(processingMs),
      rtf: duration > 0 ? round(processingMs / 1000 / duration, 3) : 0,
      engine: transcript.engine,
      model: transcript.model,
      segments: transcript.segments,
    },
  };
}

/**
 * The cloud API's body (`/api/v1/lightning/get_text`, `/waves/v1/pulse/get_text`): diarized, its
 * words and utterances carry the zero-based integer `speaker` the cloud API gives.
 */
export function cloudResponse(transcript: BatchTranscript, options: Pick<ListenOptions, 'punctuate' | 'timestamps'>, fileSize: number) {
  const speakerOf = (word: TranscriptWord) => (word.speaker !== undefined ? { speaker: word.speaker } : {});
  return {
    status: 'success',
    transcription: textSpan(transcript.words, options.punctuate).text,
    words: options.timestamps ? transcript.words.map((word) => ({ word: word.word, start: word.start, end: word.end, confidence: word.confidence, ...speakerOf(word) })) : [],
    utterances: sentences(transcript.words).map((sentence) => ({ ...textSpan(sentence, options.punctuate), ...speakerOf(sentence[0]!) })),
    metadata: { duration: round(transcript.durationSeconds, 3), fileSize },
  };
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
