import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { diarizationCorpus, type Dialogue } from './support/dialogue-corpus.js';
import { equalSplitBaseline, oneSpeakerBaseline, type SpeakerSegment } from './support/diarization-error-rate.js';
import { scoreOf, sum, type Score } from './support/diarization-scores.js';
import { request } from './support/http.js';
import { TestStack } from './support/test-stack.js';

/** DER of a set's totals: summed errors over summed speech. */
const der = (score: Score): number => (score.missed + score.falseAlarm + score.confusion) / score.total;
const collaredDer = (score: Score): number => score.collaredErrors / score.collaredTotal;

/**
 * How well the default diarizer tells speakers apart, through the whole stack: every dialogue of
 * the corpus (flite voices, and mixtures of the real recordings on this machine) is posted with
 * diarize=true to an API server that cuts it into 5–10 s segments for two workers, and its
 * `speakers` turns (where the words are) are scored against the reference, the count estimated.
 * Bounds hold over each set, never one file; `npm run bench:diarization` prints the figures of
 * the diarizer alone, with the count estimated and told.
 */
describe('diarization accuracy over the dialogue corpus, through the stack', () => {
  let stack: TestStack;
  let corpus: Dialogue[];
  const scores = new Map<string, { estimated: Score; oneSpeaker: Score; equalSplit: Score }>();

  const speakersOf = async (dialogue: Dialogue): Promise<SpeakerSegment[]> => {
    const result = await request(`${stack.apiUrl}/v1/listen?diarize=true`, {
      method: 'POST',
      body: readFileSync(dialogue.wav),
      headers: { authorization: `Token ${stack.licenseKey}`, 'content-type': 'audio/wav' },
      timeoutMs: 300_000,
    });
    assert.equal(result.status, 200, result.text);
    assert.ok(result.json.metadata.segments > 1, `${dialogue.id}: cut into segments for the workers`);
    return result.json.speakers;
  };

  before(async () => {
    corpus = await diarizationCorpus();
    stack = await TestStack.start({ workers: 2, apiEnv: { SEGMENT_MAX_S: '10', SEGMENT_MIN_S: '5' } });
    await stack.healthy();
    for (const dialogue of corpus) {
      scores.set(dialogue.id, {
        estimated: scoreOf(dialogue, await speakersOf(dialogue)),
        oneSpeaker: scoreOf(dialogue, oneSpeakerBaseline(dialogue.reference)),
        equalSplit: scoreOf(dialogue, equalSplitBaseline(dialogue.reference, dialogue.speakers)),
      });
    }
  });
  after(() => stack.stop());

  for (const kind of ['flite', 'real'] as const) {
    test(`${kind} dialogues: DER well under both baselines, most speaker counts right`, (t) => {
      const set = corpus.filter((dialogue) => dialogue.kind === kind).map((dialogue) => scores.get(dialogue.id)!);
      assert.ok(set.length >= 4, `a set, not a file (${set.length} dialogues)`);
      const estimated = sum(set.map((score) => score.estimated));
      const baseline = Math.min(der(sum(set.map((score) => score.oneSpeaker))), der(sum(set.map((score) => score.equalSplit))));
      const figures = `DER ${der(estimated).toFixed(3)} (collar ${collaredDer(estimated).toFixed(3)}), best baseline ${baseline.toFixed(3)}, counts right ${estimated.countsRight}/${set.length}`;
      t.diagnostic(figures);
      assert.ok(der(estimated) < baseline / 2, figures);
      assert.ok(collaredDer(estimated) < 0.25, figures);
      assert.ok(estimated.countsRight >= Math.ceil(set.length / 2), figures);
    });
  }
});
