import { Piscina } from 'piscina';
import { ApiError, siblingModulePath, type Logger } from '@stt/shared';
import type { BatchTranscript } from '../transcription/batch-transcript.js';
import type { DiarizationTask } from './diarization-task.js';
import { countBounds, type SpeakerCountRequest } from './speaker-turn.js';

export interface DiarizeRequest extends SpeakerCountRequest {
  readonly diarize: boolean;
}

/**
 * The API server's side of diarization: once every segment is in, the whole recording's speaker
 * evidence is clustered into turns and each word is given its speaker, on a thread of its own
 * (a long file's clustering and word matching would hold the event loop). It is done here, not on
 * the ASR workers, so a speaker keeps one label across segments decoded by different workers.
 */
export class SpeakerDiarizer {
  private readonly pool = new Piscina<DiarizationTask, number[]>({
    filename: siblingModulePath(import.meta.url, 'diarization-task'),
    minThreads: 0,
    // One thread: the machine's cores are the ASR workers'; requests queue here briefly.
    maxThreads: 1,
    idleTimeout: 60_000,
  });

  constructor(private readonly logger: Logger) {}

  /** `transcript` with a speaker on each word when the request asked for `diarize`; else as it is. */
  async label(transcript: BatchTranscript, request: DiarizeRequest, requestId: string): Promise<BatchTranscript> {
    if (!request.diarize) return transcript;
    let speakers: number[];
    try {
      const words = transcript.words.map(({ start, end }) => ({ start, end }));
      speakers = await this.pool.run({ evidence: transcript.speakerEvidence, bounds: countBounds(request), words });
    } catch (error) {
      this.logger.error({ err: error, request_id: requestId }, 'Diarization failed');
      throw new ApiError('INTERNAL_ERROR', 'Transcription failed.');
    }
    return { ...transcript, words: transcript.words.map((word, index) => ({ ...word, speaker: speakers[index]! })) };
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
