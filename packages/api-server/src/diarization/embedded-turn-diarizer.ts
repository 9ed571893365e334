import type { EmbeddedTurn } from '@stt/shared';
import { agglomerate, type ClusterCountBounds } from './agglomerate.js';
import type { SpeakerTurn } from './speaker-turn.js';

/** Cosine distance at which two local speakers are taken to be different people. */
const DIFFERENT_SPEAKER_DISTANCE = 0.5;

interface LocalSpeaker {
  /** Sum of the unit embeddings of its turns (its direction is their mean's). */
  readonly direction: Float64Array;
}

/**
 * Links a neural diarizer's local speakers across segments: each segment's speakers are already
 * told apart, so only whole local speakers are clustered, by the cosine distance of their
 * embeddings' centroids.
 */
export function diarizeEmbeddedTurns(segments: readonly (readonly EmbeddedTurn[])[], bounds: ClusterCountBounds): SpeakerTurn[] {
  const locals = new Map<string, { speaker: LocalSpeaker; index: number }>();
  const speakers: LocalSpeaker[] = [];
  segments.forEach((turns, segment) => {
    for (const turn of turns) {
      const key = `${segment}:${turn.local_speaker}`;
      const known = locals.get(key);
      // A local speaker's direction is the sum of its turns' unit embeddings: their mean's.
      if (known !== undefined) unit(turn.embedding).forEach((value, i) => (known.speaker.direction[i]! += value));
      else {
        const speaker = { direction: unit(turn.embedding) };
        locals.set(key, { speaker, index: speakers.length });
        speakers.push(speaker);
      }
    }
  });
  const labels = agglomerate(
    speakers,
    {
      cost: (a, b) => 1 - cosine(a.direction, b.direction),
      merge: (a, b) => ({ direction: a.direction.map((value, i) => value + b.direction[i]!) }),
    },
    DIFFERENT_SPEAKER_DISTANCE,
    bounds,
  );
  return segments.flatMap((turns, segment) =>
    turns.map((turn) => ({ start: turn.start, end: turn.end, speaker: labels[locals.get(`${segment}:${turn.local_speaker}`)!.index]! })),
  );
}

function unit(vector: readonly number[]): Float64Array {
  const norm = Math.hypot(...vector) || 1;
  return Float64Array.from(vector, (value) => value / norm);
}

function cosine(a: Float64Array, b: Float64Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / (Math.sqrt(na * nb) || 1);
}
