import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import type { FeatureBlock } from '@stt/shared';

/** Keeps a covariance from a few frames invertible: a small fraction of its mean variance on the diagonal. */
const RIDGE = 1e-3;

/**
 * A full-covariance Gaussian over MFCC frames, held as sufficient statistics so that any runs of
 * blocks merge exactly (count, sum, sum of outer products).
 */
export class GaussianStatistics {
  private cached: { logDet: number; precision: Matrix; mean: Float64Array } | undefined;

  private constructor(
    readonly frames: number,
    readonly sum: Float64Array,
    /** Row-major d × d sum of outer products. */
    readonly outer: Float64Array,
  ) {}

  static fromBlock(block: FeatureBlock, dimensions: number): GaussianStatistics {
    const outer = new Float64Array(dimensions * dimensions);
    let k = 0;
    for (let i = 0; i < dimensions; i++) {
      for (let j = i; j < dimensions; j++) {
        const value = block.scatter[k++] ?? 0;
        outer[i * dimensions + j] = value;
        outer[j * dimensions + i] = value;
      }
    }
    return new GaussianStatistics(block.frames, Float64Array.from(block.sum), outer);
  }

  get dimensions(): number {
    return this.sum.length;
  }

  merged(other: GaussianStatistics): GaussianStatistics {
    const sum = this.sum.map((value, i) => value + other.sum[i]!);
    const outer = this.outer.map((value, i) => value + other.outer[i]!);
    return new GaussianStatistics(this.frames + other.frames, sum, outer);
  }

  /** log |Σ| of the maximum-likelihood covariance. */
  logDeterminant(): number {
    return this.model().logDet;
  }

  /** The log-likelihood of `block`'s frames under this Gaussian (from their statistics alone). */
  logLikelihood(block: GaussianStatistics): number {
    const { logDet, precision, mean } = this.model();
    const d = this.dimensions;
    // Σ_t (x_t − μ)ᵀ P (x_t − μ) = tr(P·S) − 2 μᵀP·s + n μᵀPμ, with S, s the block's outer sum and sum.
    let quadratic = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const p = precision.get(i, j);
        quadratic += p * (block.outer[i * d + j]! - 2 * mean[i]! * block.sum[j]! + block.frames * mean[i]! * mean[j]!);
      }
    }
    return -0.5 * (block.frames * (logDet + d * Math.log(2 * Math.PI)) + quadratic);
  }

  private model(): { logDet: number; precision: Matrix; mean: Float64Array } {
    if (this.cached !== undefined) return this.cached;
    const d = this.dimensions;
    const n = this.frames;
    const mean = this.sum.map((value) => value / n);
    const covariance = new Matrix(d, d);
    let trace = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) covariance.set(i, j, this.outer[i * d + j]! / n - mean[i]! * mean[j]!);
      trace += covariance.get(i, i);
    }
    for (let i = 0; i < d; i++) covariance.set(i, i, covariance.get(i, i) + (RIDGE * trace) / d);
    const cholesky = new CholeskyDecomposition(covariance);
    const lower = cholesky.lowerTriangularMatrix;
    let logDet = 0;
    for (let i = 0; i < d; i++) logDet += 2 * Math.log(lower.get(i, i));
    this.cached = { logDet, precision: cholesky.solve(Matrix.eye(d)), mean };
    return this.cached;
  }
}

/**
 * ΔBIC of modelling `a` and `b` by one Gaussian rather than two: negative when one fits them
 * well enough to be worth its fewer parameters (the same speaker). `penalty` (λ) weighs the
 * parameter count; larger keeps more segments together.
 */
export function bicDistance(a: GaussianStatistics, b: GaussianStatistics, penalty: number): number {
  const d = a.dimensions;
  const n = a.frames + b.frames;
  const parameters = d + (d * (d + 1)) / 2;
  const joined = a.merged(b);
  const gain = 0.5 * (n * joined.logDeterminant() - a.frames * a.logDeterminant() - b.frames * b.logDeterminant());
  return gain - penalty * 0.5 * parameters * Math.log(n);
}
