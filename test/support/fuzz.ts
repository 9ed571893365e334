import { randomInt } from 'node:crypto';
import fc from 'fast-check';

/** Cases per target: the suite's floor is 10,000; FUZZ_RUNS runs more (or fewer, to try a change quickly). */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

/**
 * The seed of this run, printed with every target's result: `FUZZ_SEED=<seed>` replays the same
 * cases, and `FUZZ_PATH=<path>` (from a failure's report) replays only the shrunk counterexample.
 */
export const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.FUZZ_SEED);

export interface FuzzOptions {
  /** Cases to run (default FUZZ_RUNS). */
  readonly numRuns?: number;
  /** The target's time budget: past it the run stops and fails, so CI never waits on a slow target. */
  readonly budgetMs: number;
  /** One case's bound (async properties only): a case past it counts as hung. */
  readonly caseTimeoutMs?: number;
  /** Words after the case count in the printed line ("…, 12 000 frames"). */
  readonly summary?: () => string;
}

/**
 * Runs a property-based target with fast-check (shrinking a failure to its smallest case) and
 * prints `fuzz <name>: N cases, F failures, seed S (T s)`; fails with fast-check's report and the
 * command line that replays the failure.
 */
export async function fuzz<Ts>(name: string, property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>, options: FuzzOptions): Promise<void> {
  const started = performance.now();
  const path = process.env.FUZZ_PATH;
  const plugins = [
    fc.interruptAfterTimeLimit(options.budgetMs),
    ...(options.caseTimeoutMs === undefined ? [] : [fc.timeout(options.caseTimeoutMs)]),
  ];
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, {
    seed: FUZZ_SEED,
    numRuns: options.numRuns ?? FUZZ_RUNS,
    ...(path === undefined ? {} : { path }),
    plugins,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const extra = options.summary === undefined ? '' : `, ${options.summary()}`;
  // A failure whose shrinking the budget cut short is still a failure, reported as shrunk so far.
  const failed = details.failed || details.counterexample !== null;
  console.log(`fuzz ${name}: ${details.numRuns} cases${extra}, ${failed ? 1 : 0} failures, seed ${FUZZ_SEED} (${seconds} s)`);
  if (!failed && details.interrupted) throw new Error(`fuzz ${name}: only ${details.numRuns} cases within its ${options.budgetMs / 1000} s budget`);
  if (failed) {
    const report = (await fc.asyncDefaultReportMessage(details)) ?? 'failed';
    const replay = details.counterexamplePath === null ? '' : `\nReplay: FUZZ_SEED=${FUZZ_SEED} FUZZ_PATH=${details.counterexamplePath}`;
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`fuzz ${name} failed${replay}\n${report}\nFailure: ${cause}`);
  }
}
