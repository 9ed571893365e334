import type { RecognizedWord } from '@stt/shared';
import type { BatchTranscript } from './batch-transcript.js';
import type { ListenOptions } from './listen-options.js';
import { sentences } from './punctuate.js';
import { paragraphSpans, textSpan, utterances, type Paragraph, type Utterance } from './transcript-structure.js';
import { overallConfidence } from './word-confidence.js';

// Where the live transcripts import it from.

export interface ListenResponse {
  request_id: string;
  text: string;
  confidence: number;
  duration: number;
  language: string;
  words?: RecognizedWord[];
  utterances?: Utterance[];
  paragraphs?: Paragraph[];
  metadata: { processing_time_ms: number; rtf: number; engine: string; model: string; segments: number };
}

/** The contract's 200 body of `POST /v1/listen`. */
export function listenResponse(
  requestId: string,
  transcript: BatchTranscript,
  options: Pick<ListenOptions, 'punctuate' | 'timestamps' | 'language' | 'utterances' | 'paragraphs'>,
  processingMs: number,
): ListenResponse {
  const duration = round(transcript.durationSeconds, 3);
  return {
    request_id: requestId,
    text: textSpan(transcript.words, options.punctuate).text,
    confidence: round(overallConfidence(transcript.words), 3),
    duration,
    language: options.language,
    ...(options.timestamps ? { words: [...transcript.words] } : {}),
    ...(options.utterances ? { utterances: utterances(transcript.words, { punctuated: options.punctuate, withWords: options.timestamps }) } : {}),
    ...(options.paragraphs ? { paragraphs: paragraphSpans(transcript.words, options.punctuate) } : {}),
    metadata: {
      processing_time_ms: Math.round(processingMs),
      rtf: duration > 0 ? round(processingMs / 1000 / duration, 3) : 0,
      engine: transcript.engine,
      model: transcript.model,
      segments: transcript.segments,
    },
  };
}

/** The cloud API's body (`/api/v1/lightning/get_text`, `/waves/v1/pulse/get_text`). */
export function cloudResponse(transcript: BatchTranscript, options: Pick<ListenOptions, 'punctuate' | 'timestamps'>, fileSize: number) {
  return {
    status: 'success',
    transcription: textSpan(transcript.words, options.punctuate).text,
    words: options.timestamps ? transcript.words.map(({ word, start, end, confidence }) => ({ word, start, end, confidence })) : [],
    utterances: sentences(transcript.words).map((sentence) => textSpan(sentence, options.punctuate)),
    metadata: { duration: round(transcript.durationSeconds, 3), fileSize },
  };
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
