import type { SpeakerEvidence } from '@stt/shared';
import type { ClusterCountBounds } from './agglomerate.js';
import { diarizeEmbeddedTurns } from './embedded-turn-diarizer.js';
import { diarizeFeatureBlocks } from './feature-block-diarizer.js';
import { orderedTurns, type SpeakerTurn } from './speaker-turn.js';

export interface DiarizationTask {
  /** Each segment's evidence, in order; none for a segment whose worker sent none. */
  readonly evidence: readonly (SpeakerEvidence | undefined)[];
  readonly bounds: ClusterCountBounds;
}

/**
 * Piscina's entry (a worker thread): the whole recording's speaker turns from its segments'
 * evidence. Workers of one model run one diarizer; should they differ (a rollout under way), the
 * first segment's kind is used and the other segments' words go to the nearest turn.
 */
export default function diarize(task: DiarizationTask): SpeakerTurn[] {
  const kind = task.evidence.find((evidence) => evidence !== undefined)?.kind;
  if (kind === 'feature-blocks') {
    const sets = task.evidence.filter((evidence) => evidence?.kind === 'feature-blocks');
    const dimensions = sets[0]!.dimensions;
    const blocks = sets.filter((set) => set.dimensions === dimensions).flatMap((set) => set.blocks);
    return orderedTurns(diarizeFeatureBlocks(blocks, dimensions, task.bounds));
  }
  if (kind === 'embedded-turns') {
    const segments = task.evidence.filter((evidence) => evidence?.kind === 'embedded-turns').map((evidence) => evidence.turns);
    return orderedTurns(diarizeEmbeddedTurns(segments, task.bounds));
  }
  return [];
}
