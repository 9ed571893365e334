import type { RecognizedWord } from '@stt/shared';
import type { BatchTranscript } from './batch-transcript.js';
import type { ListenOptions } from './listen-options.js';
import { plainText, punctuate, sentences } from './punctuate.js';

export interface ListenResponse {
  request_id: string;
  text: string;
  confidence: number;
  duration: number;
  language: string;
  words?: RecognizedWord[];
  metadata: { processing_time_ms: number; rtf: number; engine: string; model: string; segments: number };
}

/** The contract's 200 body of `POST /v1/listen`. */
export function listenResponse(
  requestId: string,
  transcript: BatchTranscript,
  options: Pick<ListenOptions, 'punctuate' | 'timestamps' | 'language'>,
  processingMs: number,
): ListenResponse {
  const duration = round(transcript.durationSeconds, 3);
  return {
    request_id: requestId,
    text: options.punctuate ? punctuate(transcript.words) : plainText(transcript.words),
    confidence: round(overallConfidence(transcript.words), 3),
    duration,
    language: options.language,
    ...(options.timestamps ? { words: [...transcript.words] } : {}),
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
    transcription: options.punctuate ? punctuate(transcript.words) : plainText(transcript.words),
    words: options.timestamps ? transcript.words.map(({ word, start, end, confidence }) => ({ word, start, end, confidence })) : [],
    utterances: sentences(transcript.words).map((sentence) => ({
      text: options.punctuate ? punctuate(sentence) : plainText(sentence),
      start: sentence[0]?.start ?? 0,
      end: sentence[sentence.length - 1]?.end ?? 0,
    })),
    metadata: { duration: round(transcript.durationSeconds, 3), fileSize },
  };
}

/** Word confidences weighted by how long each word lasts; 0 when nothing was recognised. */
export function overallConfidence(words: readonly RecognizedWord[]): number {
  let weighted = 0;
  let total = 0;
  for (const word of words) {
    const length = Math.max(word.end - word.start, 0.01);
    weighted += word.confidence * length;
    total += length;
  }
  return total > 0 ? weighted / total : 0;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
