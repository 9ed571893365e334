import type { ClusterCountBounds } from './agglomerate.js';

/** A stretch of speech by one speaker, numbered 0… in order of first appearance; seconds. */
export interface SpeakerTurn {
  readonly start: number;
  readonly end: number;
  readonly speaker: number;
}

/** What a request says of its speaker count (`num_speakers`, or `min_speakers`/`max_speakers`). */
export interface SpeakerCountRequest {
  readonly num_speakers?: number | undefined;
  readonly min_speakers?: number | undefined;
  readonly max_speakers?: number | undefined;
}

/** An estimated count stops here unless the request allows more: beyond it, a meeting's voices blur. */
export const DEFAULT_MAX_SPEAKERS = 8;

/** The clustering's bounds for a request: exact when `num_speakers` is given. */
export function countBounds(request: SpeakerCountRequest): ClusterCountBounds {
  if (request.num_speakers !== undefined) return { min: request.num_speakers, max: request.num_speakers };
  const min = request.min_speakers ?? 1;
  return { min, max: request.max_speakers ?? Math.max(min, DEFAULT_MAX_SPEAKERS) };
}

/** Renumbers speakers 0… by first appearance and joins touching turns of one speaker. */
export function orderedTurns(turns: readonly SpeakerTurn[]): SpeakerTurn[] {
  const sorted = [...turns].sort((a, b) => a.start - b.start);
  const renumber = new Map<number, number>();
  const out: SpeakerTurn[] = [];
  for (const turn of sorted) {
    if (!renumber.has(turn.speaker)) renumber.set(turn.speaker, renumber.size);
    const speaker = renumber.get(turn.speaker)!;
    const last = out.at(-1);
    if (last !== undefined && last.speaker === speaker && turn.start <= last.end + 0.01) out[out.length - 1] = { ...last, end: Math.max(last.end, turn.end) };
    else out.push({ start: turn.start, end: turn.end, speaker });
  }
  return out;
}
