import { Piscina } from 'piscina';
import { siblingModulePath, type SpeakerEvidence } from '@stt/shared';

/** A thread idle this long ends, and what it loaded (a model, a VAD) is let go. */
const IDLE_TIMEOUT_MS = 60_000;

/**
 * Worker threads running the evidence task `taskModule` (a module beside `callerUrl` whose default
 * export computes one segment's evidence), `threads` at most: diarizers are synchronous native or
 * numeric code, kept off the event loop.
 */
export function evidenceTaskPool<Task>(callerUrl: string, taskModule: string, threads: number): Piscina<Task, SpeakerEvidence> {
  return new Piscina({ filename: siblingModulePath(callerUrl, taskModule), minThreads: 0, maxThreads: threads, idleTimeout: IDLE_TIMEOUT_MS });
}
