/** One speaker talking from `start` to `end`, in seconds. */
export interface SpeakerSegment {
  readonly start: number;
  readonly end: number;
  readonly speaker: string;
}

export interface DiarizationErrors {
  /** Seconds of reference speech no hypothesis speaker accounts for (each reference speaker counted). */
  readonly missed: number;
  /** Seconds of hypothesis speech beyond the reference speakers talking then. */
  readonly falseAlarm: number;
  /** Seconds of reference speech given to the wrong speaker, under the best speaker mapping. */
  readonly confusion: number;
  /** Seconds of reference speech scored, each speaker counted (two talking for 1 s make 2 s). */
  readonly total: number;
  /** (missed + falseAlarm + confusion) / total. */
  readonly der: number;
}

export interface ScoringOptions {
  /** Within this many seconds of any reference segment's start or end nothing is scored. */
  readonly collarSeconds: number;
}

/** A stretch of time over which the same speakers talk, in the reference and in the hypothesis. */
interface Slice {
  readonly seconds: number;
  readonly reference: readonly string[];
  readonly hypothesis: readonly string[];
}

/**
 * Diarization error rate as NIST's md-eval scores it, on exact intervals: overlapping reference
 * speech counts once per speaker, hypothesis speakers are mapped one-to-one to reference speakers
 * so that they share the most time, and the collar's regions around reference boundaries are left out.
 */
export function diarizationErrorRate(
  reference: readonly SpeakerSegment[],
  hypothesis: readonly SpeakerSegment[],
  options: ScoringOptions,
): DiarizationErrors {
  const slices = scoredSlices(reference, hypothesis, options.collarSeconds);
  const mapping = bestMapping(slices);
  let missed = 0;
  let falseAlarm = 0;
  let confusion = 0;
  let total = 0;
  for (const { seconds, reference: talking, hypothesis: found } of slices) {
    const correct = found.filter((speaker) => {
      const mapped = mapping.get(speaker);
      return mapped !== undefined && talking.includes(mapped);
    }).length;
    missed += seconds * Math.max(0, talking.length - found.length);
    falseAlarm += seconds * Math.max(0, found.length - talking.length);
    confusion += seconds * (Math.min(talking.length, found.length) - correct);
    total += seconds * talking.length;
  }
  const errors = missed + falseAlarm + confusion;
  return { missed, falseAlarm, confusion, total, der: total > 0 ? errors / total : errors > 0 ? Infinity : 0 };
}

/** Hypothesis speakers minus reference speakers: 0 when the count is right. */
export function speakerCountError(reference: readonly SpeakerSegment[], hypothesis: readonly SpeakerSegment[]): number {
  return speakersOf(hypothesis).length - speakersOf(reference).length;
}

/** The baseline that says one person talks from the first reference start to the last reference end. */
export function oneSpeakerBaseline(reference: readonly SpeakerSegment[]): SpeakerSegment[] {
  return equalSplitBaseline(reference, 1);
}

/** The baseline that knows the speaker count and nothing else: the span cut into that many equal turns. */
export function equalSplitBaseline(reference: readonly SpeakerSegment[], speakers: number): SpeakerSegment[] {
  if (reference.length === 0) return [];
  const start = Math.min(...reference.map((segment) => segment.start));
  const end = Math.max(...reference.map((segment) => segment.end));
  const turn = (end - start) / speakers;
  return Array.from({ length: speakers }, (_, i) => ({ start: start + i * turn, end: start + (i + 1) * turn, speaker: `baseline-${i}` }));
}

function scoredSlices(reference: readonly SpeakerSegment[], hypothesis: readonly SpeakerSegment[], collar: number): Slice[] {
  const boundaries = reference.flatMap((segment) => [segment.start, segment.end]);
  const times = [...boundaries, ...hypothesis.flatMap((segment) => [segment.start, segment.end])];
  if (collar > 0) times.push(...boundaries.flatMap((time) => [time - collar, time + collar]));
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  const slices: Slice[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    // Nothing starts or ends inside a slice, so its middle speaks for all of it.
    const middle = (sorted[i]! + sorted[i + 1]!) / 2;
    if (boundaries.some((time) => Math.abs(middle - time) < collar)) continue;
    slices.push({ seconds: sorted[i + 1]! - sorted[i]!, reference: speakersAt(reference, middle), hypothesis: speakersAt(hypothesis, middle) });
  }
  return slices;
}

const speakersAt = (segments: readonly SpeakerSegment[], time: number): string[] =>
  speakersOf(segments.filter((segment) => segment.start < time && time < segment.end));

const speakersOf = (segments: readonly SpeakerSegment[]): string[] => [...new Set(segments.map((segment) => segment.speaker))];

/**
 * The one-to-one map of hypothesis to reference speakers that share the most scored time (the
 * assignment problem), exactly, by dynamic programming over the sets of reference speakers taken:
 * 2^references states, nothing for the handful of speakers a recording has.
 */
function bestMapping(slices: readonly Slice[]): Map<string, string> {
  const references = [...new Set(slices.flatMap((slice) => slice.reference))];
  const hypotheses = [...new Set(slices.flatMap((slice) => slice.hypothesis))];
  if (references.length > 16) throw new RangeError(`${references.length} reference speakers are too many to map exactly.`);
  const shared = hypotheses.map((hypothesis) =>
    references.map((reference) =>
      slices.reduce((sum, slice) => (slice.hypothesis.includes(hypothesis) && slice.reference.includes(reference) ? sum + slice.seconds : sum), 0),
    ),
  );
  type State = { readonly seconds: number; readonly pairs: readonly (readonly [string, string])[] };
  // Keyed by the bit set of reference speakers already taken.
  let states = new Map<number, State>([[0, { seconds: 0, pairs: [] }]]);
  hypotheses.forEach((hypothesis, h) => {
    const next = new Map(states); // this hypothesis speaker left unmapped
    for (const [taken, state] of states) {
      references.forEach((reference, r) => {
        if (taken & (1 << r)) return;
        const seconds = state.seconds + shared[h]![r]!;
        const key = taken | (1 << r);
        if (seconds > (next.get(key)?.seconds ?? -1)) next.set(key, { seconds, pairs: [...state.pairs, [hypothesis, reference]] });
      });
    }
    states = next;
  });
  const best = [...states.values()].reduce((a, b) => (b.seconds > a.seconds ? b : a));
  return new Map(best.pairs);
}
