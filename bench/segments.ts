/**
 * What cutting long audio costs in accuracy: the five LibriVox clips joined three times (74 s) sent
 * through API servers with different segment bounds, next to pocketsphinx_batch decoding the same
 * file whole and the clips one by one.
 *
 *   npm run bench:segments
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatenatedLibrivox, librivoxClips, pocketsphinxBatch, setWer } from '../test/support/speech-corpus.js';
import { TestStack } from '../test/support/test-stack.js';

const BOUNDS: readonly (readonly [max: number, min: number])[] = [[600, 10], [30, 10], [20, 5], [15, 5], [10, 3], [6, 2]];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stt-bench-segments-'));
  const long = concatenatedLibrivox(dir, 3);
  const clips = librivoxClips();
  const byClip = pocketsphinxBatch(clips);
  const whole = pocketsphinxBatch([{ id: 'long', wav: long.wav, reference: long.reference }]);
  const stack = await TestStack.start({ workers: 2, api: false });
  try {
    console.log(`\n74 s file (5 LibriVox clips x3), word error rate\n`);
    console.log('| decoder | segments | WER |');
    console.log('|---|---:|---:|');
    console.log(`| pocketsphinx_batch, the 5 clips one by one (x3 is the same) | 5 | ${setWer(clips.map((clip) => ({ reference: clip.reference, hypothesis: byClip.get(clip.id) ?? '' }))).toFixed(3)} |`);
    console.log(`| pocketsphinx_batch, the whole file | 1 | ${setWer([{ reference: long.reference, hypothesis: whole.get('long') ?? '' }]).toFixed(3)} |`);
    for (const [max, min] of BOUNDS) {
      await stack.startApi({ SEGMENT_MAX_S: String(max), SEGMENT_MIN_S: String(min) });
      await stack.healthy();
      const response = await fetch(`${stack.apiUrl}/v1/listen?punctuate=false`, {
        method: 'POST',
        body: readFileSync(long.wav),
        headers: { authorization: `Token ${stack.licenseKey}`, 'content-type': 'audio/wav' },
      });
      const body = (await response.json()) as { text: string; metadata: { segments: number } };
      const wer = setWer([{ reference: long.reference, hypothesis: body.text }]);
      console.log(`| ours, SEGMENT_MAX_S=${max} SEGMENT_MIN_S=${min} | ${body.metadata.segments} | ${wer.toFixed(3)} |`);
    }
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
