import type { FeatureBlock } from '@stt/shared';
import { agglomerate, type ClusterCountBounds } from './agglomerate.js';
import { blockClusters, mergeClusters, squaredDistance, wardCost, type SpeakerCluster } from './speaker-cluster.js';
import type { SpeakerTurn } from './speaker-turn.js';

/**
 * The Ward cost past which the next second of speech starts a new run (a speaker change). Low:
 * a change missed here can never be undone, an extra cut is merged back by the clustering.
 * Both thresholds come from `npm run bench:diarization` (docs/diarization.md).
 */
const CHANGE_COST = 1.5;
/**
 * Clustering holds a cost per pair of runs: past this many (a recording of some hours), change
 * detection is run again, twice as reluctant each time and letting runs span pauses, until the
 * runs fit (2000² costs: 32 MB).
 */
const MAX_CLUSTERED_RUNS = 2000;
/** The Ward cost at which clustering stops: the cheapest merge left joins two voices. */
const DIFFERENT_SPEAKER_COST = 6;
/** Blocks closer than this are one stretch of speech (no pause for a turn to change in). */
const CONTIGUOUS_SECONDS = 0.3;
/** Each block's neighbours count this much in its vote, so a lone block seldom flips a turn. */
const NEIGHBOUR_WEIGHT = 0.5;
const RESEGMENTATION_PASSES = 2;

/**
 * The default diarizer over a whole recording's MFCC blocks (every segment's, in time order),
 * each block's mean whitened by the recording's covariance:
 * 1. change detection: within a stretch of speech, a run of blocks grows while the next second
 *    is the same voice by Ward's cost; a pause may always end it;
 * 2. agglomerative clustering of the runs by Ward's cost, stopping at the first merge costing
 *    `DIFFERENT_SPEAKER_COST` (within the request's count bounds);
 * 3. resegmentation: each block goes to the nearest speaker centroid, its neighbours voting
 *    with it, and the centroids are refit, twice.
 */
export function diarizeFeatureBlocks(blocks: readonly FeatureBlock[], dimensions: number, bounds: ClusterCountBounds): SpeakerTurn[] {
  if (blocks.length === 0) return [];
  const clusters = blockClusters(blocks, dimensions);
  let runs = detectChanges(blocks, clusters, CHANGE_COST, true);
  for (let changeCost = 2 * CHANGE_COST; runs.clusters.length > MAX_CLUSTERED_RUNS; changeCost *= 2) runs = detectChanges(blocks, clusters, changeCost, false);
  const runLabels = agglomerate(runs.clusters, { cost: wardCost, merge: mergeClusters }, DIFFERENT_SPEAKER_COST, bounds);
  let labels = runs.runOfBlock.map((run) => runLabels[run]!);
  for (let pass = 0; pass < RESEGMENTATION_PASSES; pass++) labels = resegment(blocks, clusters, labels);
  return blocks.map((block, b) => ({ start: block.start, end: block.end, speaker: labels[b]! }));
}

/** Runs of blocks: each run's cluster, and the run each block is in. */
interface Runs {
  readonly clusters: SpeakerCluster[];
  readonly runOfBlock: number[];
}

function detectChanges(blocks: readonly FeatureBlock[], clusters: readonly SpeakerCluster[], changeCost: number, pausesCut: boolean): Runs {
  const runs: SpeakerCluster[] = [];
  const runOfBlock = [0];
  let current = clusters[0]!;
  for (let b = 1; b < blocks.length; b++) {
    // The next second (this block and the one after it, when it follows on) against the run so far.
    const next = b + 1 < blocks.length && contiguous(blocks[b]!, blocks[b + 1]!) ? mergeClusters(clusters[b]!, clusters[b + 1]!) : clusters[b]!;
    if ((!pausesCut || contiguous(blocks[b - 1]!, blocks[b]!)) && wardCost(current, next) < changeCost) {
      current = mergeClusters(current, clusters[b]!);
    } else {
      runs.push(current);
      current = clusters[b]!;
    }
    runOfBlock.push(runs.length);
  }
  runs.push(current);
  return { clusters: runs, runOfBlock };
}

function resegment(blocks: readonly FeatureBlock[], clusters: readonly SpeakerCluster[], labels: readonly number[]): number[] {
  const speakers = [...new Set(labels)];
  const centroids = speakers.map((speaker) => clusters.filter((_, b) => labels[b] === speaker).reduce(mergeClusters));
  // How well each block fits each speaker: minus its frames times its squared distance to the centroid.
  const fit = clusters.map((block) => centroids.map((centroid) => -block.frames * squaredDistance(block.mean, centroid.mean)));
  return blocks.map((block, b) => {
    const votes = fit[b]!.map((own, s) => {
      let score = own;
      if (b > 0 && contiguous(blocks[b - 1]!, block)) score += NEIGHBOUR_WEIGHT * fit[b - 1]![s]!;
      if (b + 1 < blocks.length && contiguous(block, blocks[b + 1]!)) score += NEIGHBOUR_WEIGHT * fit[b + 1]![s]!;
      return score;
    });
    return speakers[votes.indexOf(Math.max(...votes))]!;
  });
}

const contiguous = (a: FeatureBlock, b: FeatureBlock): boolean => b.start - a.end <= CONTIGUOUS_SECONDS;
