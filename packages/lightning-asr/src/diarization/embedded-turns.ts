import { ENGINE_SAMPLE_RATE, type EmbeddedTurn, type SpeakerEvidence } from '@stt/shared';
import type { SpeakerDiarizationSegment } from './sherpa-onnx-diarization-binding.js';

/** A turn shorter than this takes its speaker's mean embedding: half a second says little about a voice. */
export const MIN_EMBEDDING_SECONDS = 0.5;
/** Decimals kept of each unit-length embedding: a cosine moves by about 1e-3 at most, and the JSON through Redis shrinks to a third. */
const EMBEDDING_DECIMALS = 4;

/** The embedding of a stretch of speech, or undefined when the model finds it too short. */
export type EmbedSpeech = (samples: Float32Array) => Float32Array | undefined;

/**
 * A neural diarizer's evidence for one segment: its speaker turns, each with the embedding of its
 * own audio, or, when too short for one, the mean of its speaker's other turns' embeddings. A
 * speaker none of whose turns is long enough is left out: the server then gives its words the
 * speaker of the nearest turn. Embeddings are unit length; times are shifted by `offsetSeconds`.
 */
export function embeddedTurns(turns: readonly SpeakerDiarizationSegment[], samples: Float32Array, embed: EmbedSpeech, offsetSeconds: number): SpeakerEvidence {
  const own = turns.map((turn) => {
    if (turn.end - turn.start < MIN_EMBEDDING_SECONDS) return undefined;
    const speech = samples.subarray(Math.round(turn.start * ENGINE_SAMPLE_RATE), Math.round(turn.end * ENGINE_SAMPLE_RATE));
    const embedding = embed(speech);
    return embedding === undefined ? undefined : unit(embedding);
  });
  // The sum of a speaker's unit embeddings points where their mean does.
  const speakerSums = new Map<number, Float64Array>();
  turns.forEach((turn, i) => {
    const embedding = own[i];
    if (embedding === undefined) return;
    const sum = speakerSums.get(turn.speaker);
    if (sum === undefined) speakerSums.set(turn.speaker, Float64Array.from(embedding));
    else embedding.forEach((value, k) => (sum[k]! += value));
  });
  const embedded: EmbeddedTurn[] = [];
  turns.forEach((turn, i) => {
    const sum = speakerSums.get(turn.speaker);
    if (sum === undefined) return;
    embedded.push({
      start: roundSeconds(offsetSeconds + turn.start),
      end: roundSeconds(offsetSeconds + turn.end),
      local_speaker: turn.speaker,
      embedding: Array.from(own[i] ?? unit(sum), roundComponent),
    });
  });
  return { kind: 'embedded-turns', turns: embedded };
}

function unit(vector: ArrayLike<number>): Float64Array {
  let squares = 0;
  for (let i = 0; i < vector.length; i++) squares += vector[i]! * vector[i]!;
  const norm = Math.sqrt(squares) || 1;
  return Float64Array.from(vector, (value) => value / norm);
}

const roundSeconds = (seconds: number): number => Math.round(seconds * 1000) / 1000;
const roundComponent = (value: number): number => Number(value.toFixed(EMBEDDING_DECIMALS));
