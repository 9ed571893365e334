import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import type { FeatureBlock } from '@stt/shared';

/** Some blocks of speech, summed up by their frame count and their mean MFCC vector, whitened. */
export interface SpeakerCluster {
  readonly frames: number;
  readonly mean: Float64Array;
}

/** Frames in a second: Ward costs are counted in seconds of speech. */
const FRAMES_PER_SECOND = 100;
/** A fraction of the mean variance added to the diagonal: keeps a few blocks' covariance invertible. */
const RIDGE = 1e-3;

/**
 * Each block as a cluster of its own, its mean whitened by the recording's covariance over all
 * frames: in whitened space, differences in every coefficient weigh by how much that coefficient
 * varies, and a plain squared distance compares voices.
 */
export function blockClusters(blocks: readonly FeatureBlock[], dimensions: number): SpeakerCluster[] {
  const whiten = whitening(blocks, dimensions);
  return blocks.map((block) => ({ frames: block.frames, mean: whiten(block.sum.map((value) => value / block.frames)) }));
}

/**
 * Ward's cost of merging two clusters: how much the within-cluster sum of squares grows, in
 * seconds of speech times squared whitened distance. Between two voices it grows with the
 * speech heard; between two stretches of one voice it stays near the phonetic noise.
 */
export function wardCost(a: SpeakerCluster, b: SpeakerCluster): number {
  return ((a.frames * b.frames) / (a.frames + b.frames) / FRAMES_PER_SECOND) * squaredDistance(a.mean, b.mean);
}

export function squaredDistance(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum;
}

export function mergeClusters(a: SpeakerCluster, b: SpeakerCluster): SpeakerCluster {
  const frames = a.frames + b.frames;
  return { frames, mean: a.mean.map((value, i) => (value * a.frames + b.mean[i]! * b.frames) / frames) };
}

/** x ↦ L⁻¹x, with L the Cholesky factor of the covariance of every frame of `blocks`. */
function whitening(blocks: readonly FeatureBlock[], d: number): (vector: readonly number[]) => Float64Array {
  let frames = 0;
  const sum = new Float64Array(d);
  const outer = new Matrix(d, d);
  for (const block of blocks) {
    frames += block.frames;
    let k = 0; // `scatter` is the upper triangle, row by row
    for (let i = 0; i < d; i++) {
      sum[i]! += block.sum[i]!;
      for (let j = i; j < d; j++) {
        const value = block.scatter[k++]!;
        outer.set(i, j, outer.get(i, j) + value);
        if (j !== i) outer.set(j, i, outer.get(j, i) + value);
      }
    }
  }
  const covariance = new Matrix(d, d);
  let trace = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) covariance.set(i, j, outer.get(i, j) / frames - (sum[i]! / frames) * (sum[j]! / frames));
    trace += covariance.get(i, i);
  }
  for (let i = 0; i < d; i++) covariance.set(i, i, covariance.get(i, i) + (RIDGE * trace) / d);
  const lower = new CholeskyDecomposition(covariance).lowerTriangularMatrix;
  return (vector) => {
    const whitened = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let value = vector[i]!;
      for (let j = 0; j < i; j++) value -= lower.get(i, j) * whitened[j]!;
      whitened[i] = value / lower.get(i, i);
    }
    return whitened;
  };
}
