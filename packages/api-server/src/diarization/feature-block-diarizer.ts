import type { FeatureBlock } from '@stt/shared';
import { agglomerate } from './agglomerate.js';
import { bicDistance, GaussianStatistics } from './gaussian-statistics.js';
import type { ClusterCountBounds } from './agglomerate.js';
import type { SpeakerTurn } from './speaker-turn.js';

/** λ of the change detector: how strongly one speaker's run resists taking in the next second. */
const CHANGE_PENALTY = 1.0;
/** λ of the clustering's stopping rule: larger estimates fewer speakers. */
const CLUSTER_PENALTY = 1.0;
/** Blocks closer than this are one stretch of speech for the smoothing of resegmentation. */
const CONTIGUOUS_SECONDS = 0.3;
/** Each block's neighbours count this much in its vote (so a lone block seldom flips a turn). */
const NEIGHBOUR_WEIGHT = 0.5;
const RESEGMENTATION_PASSES = 2;

interface Run {
  readonly stats: GaussianStatistics;
  readonly blocks: number[];
}

/**
 * The default diarizer over a whole recording's MFCC blocks (every segment's, in time order):
 * 1. change detection: a run of blocks grows while ΔBIC says the next second is the same voice;
 * 2. agglomerative clustering of the runs by ΔBIC, stopping when no merge pays for itself;
 * 3. resegmentation: each block goes to the speaker whose Gaussian explains it (and its
 *    neighbours) best, and the Gaussians are refit, twice.
 */
export function diarizeFeatureBlocks(blocks: readonly FeatureBlock[], dimensions: number, bounds: ClusterCountBounds): SpeakerTurn[] {
  if (blocks.length === 0) return [];
  const stats = blocks.map((block) => GaussianStatistics.fromBlock(block, dimensions));
  const runs = detectChanges(blocks, stats);
  const runLabels = agglomerate(runs, { cost: (a, b) => bicDistance(a.stats, b.stats, CLUSTER_PENALTY), merge: mergeRuns }, 0, bounds);
  let labels = new Array<number>(blocks.length).fill(0);
  runs.forEach((run, r) => run.blocks.forEach((b) => (labels[b] = runLabels[r]!)));
  for (let pass = 0; pass < RESEGMENTATION_PASSES; pass++) labels = resegment(blocks, stats, labels);
  return blocks.map((block, b) => ({ start: block.start, end: block.end, speaker: labels[b]! }));
}

function detectChanges(blocks: readonly FeatureBlock[], stats: readonly GaussianStatistics[]): Run[] {
  const runs: Run[] = [];
  let current: Run = { stats: stats[0]!, blocks: [0] };
  for (let b = 1; b < blocks.length; b++) {
    // The next second (this block and the one after it, when it follows on) against the run so far.
    const next = stats[b + 1] !== undefined && contiguous(blocks[b]!, blocks[b + 1]!) ? stats[b]!.merged(stats[b + 1]!) : stats[b]!;
    if (bicDistance(current.stats, next, CHANGE_PENALTY) < 0) {
      current = { stats: current.stats.merged(stats[b]!), blocks: [...current.blocks, b] };
    } else {
      runs.push(current);
      current = { stats: stats[b]!, blocks: [b] };
    }
  }
  runs.push(current);
  return runs;
}

function mergeRuns(a: Run, b: Run): Run {
  return { stats: a.stats.merged(b.stats), blocks: [...a.blocks, ...b.blocks] };
}

function resegment(blocks: readonly FeatureBlock[], stats: readonly GaussianStatistics[], labels: readonly number[]): number[] {
  const speakers = [...new Set(labels)];
  const models = speakers.map((speaker) => labels.reduce<GaussianStatistics | undefined>((model, label, b) => (label !== speaker ? model : (model?.merged(stats[b]!) ?? stats[b]!)), undefined)!);
  const fit = stats.map((block) => models.map((model) => model.logLikelihood(block) / block.frames));
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
