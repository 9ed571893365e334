import type { SpeakerEvidence } from '@stt/shared';
import type { ClusterCountBounds } from './agglomerate.js';
import { diarizeEmbeddedTurns } from './embedded-turn-diarizer.js';
import { diarizeFeatureBlocks } from './feature-block-diarizer.js';
import { orderedTurns, type SpeakerTurn } from './speaker-turn.js';
import { wordSpeakers } from './word-speakers.js';

/** Where a word is: all the task needs of it. */
export interface WordTime {
  readonly start: number;
  readonly end: number;
}

export interface DiarizationTask {
  /** Each segment's evidence, in order; none for a segment whose worker sent none. */
  readonly evidence: readonly (SpeakerEvidence | undefined)[];
  readonly bounds: ClusterCountBounds;
  /** The transcript's words, in order. */
  readonly words: readonly WordTime[];
}

/**
 * Piscina's entry (a worker thread): each word's speaker (0, 1, … by first word). The matching
 * of words to turns is here too, off the event loop: an hour holds thousands of each.
 */
export default function diarizationTask(task: DiarizationTask): number[] {
  return wordSpeakers(task.words, speakerTurns(task.evidence, task.bounds));
}

/**
 * The whole recording's speaker turns from its segments' evidence. Workers of one model run one
 * diarizer; should they differ (a rollout under way), the first segment's kind is used and the
 * other segments' words go to the nearest turn.
 */
export function speakerTurns(evidence: readonly (SpeakerEvidence | undefined)[], bounds: ClusterCountBounds): SpeakerTurn[] {
  const kind = evidence.find((segment) => segment !== undefined)?.kind;
  if (kind === 'feature-blocks') {
    const sets = evidence.filter((segment) => segment?.kind === 'feature-blocks');
    const dimensions = sets[0]!.dimensions;
    const blocks = sets.filter((set) => set.dimensions === dimensions).flatMap((set) => set.blocks);
    return orderedTurns(diarizeFeatureBlocks(blocks, dimensions, bounds));
  }
  if (kind === 'embedded-turns') {
    const segments = evidence.filter((segment) => segment?.kind === 'embedded-turns').map((segment) => segment.turns);
    return orderedTurns(diarizeEmbeddedTurns(segments, bounds));
  }
  return [];
}
