import { setTimeout as delay } from 'node:timers/promises';

/**
 * Cuts audio into frames of `frameMs` and lets each go no sooner than it would from a
 * microphone: the schedule is kept from the start, so the time spent sending does not add up.
 */
export async function* realtimeFrames(audio: Buffer, bytesPerSecond: number, frameMs = 100, realtime = true): AsyncGenerator<Buffer> {
  const frameBytes = Math.max(2, Math.round((bytesPerSecond * frameMs) / 1000) & ~1);
  const startedAt = performance.now();
  for (let offset = 0; offset < audio.length; offset += frameBytes) {
    if (realtime) {
      const due = startedAt + (offset / bytesPerSecond) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await delay(wait);
    }
    yield audio.subarray(offset, offset + frameBytes);
  }
}
