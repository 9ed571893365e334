import type { StreamQuery, WorkerStreamEvent } from '@stt/shared';
import { overallConfidence } from '../transcription/word-confidence.js';
import { plainText, punctuate } from '../transcription/punctuate.js';

/**
 * A worker's stream event as the client sees it (the contract's "Streaming" section): finals
 * punctuated and with words on request; interims carry the live pass's words as they stand.
 */
export function clientMessage(event: WorkerStreamEvent, sessionId: string, query: StreamQuery): Record<string, unknown> {
  switch (event.type) {
    case 'partial':
      return {
        type: 'transcription',
        session_id: sessionId,
        transcript: event.text,
        is_final: false,
        is_last: false,
        start: event.start,
        end: event.end,
        // The live pass gives no confidence; finals do.
        confidence: 0,
      };
    case 'final':
      return {
        type: 'transcription',
        session_id: sessionId,
        transcript: query.punctuate ? punctuate(event.words) : plainText(event.words),
        is_final: true,
        is_last: event.is_last,
        from_finalize: event.from_finalize,
        start: event.start,
        end: event.end,
        confidence: Math.round(overallConfidence(event.words) * 1000) / 1000,
        ...(query.word_timestamps ? { words: event.words } : {}),
      };
    case 'speech_started':
    case 'speech_ended':
      return { type: event.type, timestamp: event.timestamp };
    case 'error':
      return { type: 'error', code: event.code, message: event.message };
  }
}
