import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { RecognizedWord } from '@stt/shared';
import { cueLines } from '../packages/api-server/src/transcription/subtitles/cue-lines.js';
import { CUE_RULES } from '../packages/api-server/src/transcription/subtitles/cue-rules.js';
import { cueTime } from '../packages/api-server/src/transcription/subtitles/cue-time.js';
import { toSrt } from '../packages/api-server/src/transcription/subtitles/srt.js';
import { subtitleCues } from '../packages/api-server/src/transcription/subtitles/subtitle-cues.js';
import { toWebVtt } from '../packages/api-server/src/transcription/subtitles/webvtt.js';
import { fuzz } from './support/fuzz.js';
import { request, waitFor } from './support/http.js';
import { clipsWithPauses, goforwardWav } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';
import { wavFile } from './support/wav-file.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/** The pause that always ends a sentence, and so a cue (punctuate.ts). */
const SENTENCE_PAUSE_SECONDS = 0.6;

/** Recognised words with random texts and timings: monotone, pauses short and long. */
const wordTimings = fc
  .array(
    fc.record({
      text: fc.oneof({ weight: 9, arbitrary: fc.stringMatching(/^[a-z']{1,12}$/) }, { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{13,42}$/) }),
      pause: fc.oneof({ weight: 4, arbitrary: fc.double({ min: 0, max: 0.5, noNaN: true }) }, { weight: 1, arbitrary: fc.double({ min: 0.5, max: 3, noNaN: true }) }),
      length: fc.double({ min: 0.05, max: 1.5, noNaN: true }),
      confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { maxLength: 120 },
  )
  .map((specs) => {
    let time = 0;
    return specs.map(({ text, pause, length, confidence }): RecognizedWord => {
      const start = time + pause;
      time = start + length;
      return { word: text, start, end: time, confidence };
    });
  });

const word = (text: string, start: number, end: number): RecognizedWord => ({ word: text, start, end, confidence: 0.9 });

describe('subtitle cues', () => {
  test('property: lines ≤ 42 characters, ≤ 2 lines, cues ≤ 7 s, in order, apart, every word once, a new cue at every pause', async () => {
    await fuzz(
      'subtitle-cues',
      fc.property(wordTimings, (words) => {
        const cues = subtitleCues(words);
        assert.deepEqual(cues.flatMap((cue) => cue.words), words, 'every word in exactly one cue, in order');
        let previousEnd = -Infinity;
        for (const cue of cues) {
          assert.ok(cue.lines.length >= 1 && cue.lines.length <= CUE_RULES.maxLines, `${cue.lines.length} lines`);
          for (const line of cue.lines) assert.ok(line.length <= CUE_RULES.maxLineChars, `line of ${line.length}: ${line}`);
          assert.equal(cue.lines.join(' '), cue.words.map((w) => w.word).join(' '), 'the lines are the words');
          assert.ok(cue.end - cue.start <= CUE_RULES.maxSeconds + 1e-9, `cue of ${cue.end - cue.start} s`);
          assert.equal(cue.start, cue.words[0]!.start);
          assert.equal(cue.end, cue.words[cue.words.length - 1]!.end);
          assert.ok(cue.start >= previousEnd, 'cues in order, never overlapping');
          previousEnd = cue.end;
        }
        for (const cue of cues) {
          for (let i = 1; i < cue.words.length; i++) {
            assert.ok(cue.words[i]!.start - cue.words[i - 1]!.end < SENTENCE_PAUSE_SECONDS, 'a pause always ends a cue');
          }
        }
      }),
      { numRuns: 2000, budgetMs: 20_000 },
    );
  });

  test('a sentence that fits is one cue; a longer one breaks at its longest pause', () => {
    const short = [word('go', 0, 0.3), word('forward', 0.35, 0.8), word('ten', 0.85, 1.1), word('meters', 1.15, 1.6)];
    assert.deepEqual(subtitleCues(short).map((cue) => cue.lines), [['go forward ten meters']]);
    // Twelve words of 8 characters over 6 s: too many for two lines of 42; the 0.4 s pause after
    // the seventh word is where it breaks, not after the ninth where the lines would overflow.
    const words = Array.from({ length: 12 }, (_, i) => word(`word${String(i).padStart(4, '0')}`, i * 0.5 + (i >= 7 ? 0.3 : 0), i * 0.5 + 0.4 + (i >= 7 ? 0.3 : 0)));
    const cues = subtitleCues(words);
    assert.deepEqual(cues.map((cue) => cue.words.length), [7, 5]);
  });

  test('two lines are split where they come out most even, the shorter on top on a tie; an overlong word is a line of its own', () => {
    assert.deepEqual(cueLines('the quick brown fox jumps over the lazy dog and runs away'.split(' ')), ['the quick brown fox jumps over', 'the lazy dog and runs away']);
    const [a, b, c] = ['a', 'b', 'c'].map((letter) => letter.repeat(20));
    assert.deepEqual(cueLines([a!, b!, c!]), [a, `${b} ${c}`]);
    assert.equal(cueLines(Array.from({ length: 20 }, () => 'abcdefgh')), undefined);
    assert.deepEqual(cueLines(['x'.repeat(50)]), ['x'.repeat(50)]);
  });

  test('SRT and WebVTT files: numbering, timestamps past an hour, escaped VTT text', () => {
    assert.equal(cueTime(3723.4567, ','), '01:02:03,457');
    assert.equal(cueTime(0, '.'), '00:00:00.000');
    const cues = [
      { start: 0.5, end: 1.25, lines: ['Go forward.'], words: [] },
      { start: 2, end: 3.5, lines: ['Tom & Jerry', '<b>bold</b> --> here'], words: [] },
    ];
    assert.equal(toSrt(cues), '1\n00:00:00,500 --> 00:00:01,250\nGo forward.\n\n2\n00:00:02,000 --> 00:00:03,500\nTom & Jerry\n<b>bold</b> --> here\n\n');
    assert.equal(
      toWebVtt(cues),
      'WEBVTT\n\n00:00:00.500 --> 00:00:01.250\nGo forward.\n\n00:00:02.000 --> 00:00:03.500\nTom &amp; Jerry\n&lt;b&gt;bold&lt;/b&gt; --&gt; here\n\n',
    );
    assert.equal(toWebVtt([]), 'WEBVTT\n\n');
  });

  test('diarized: cues split where the speaker changes, and WebVTT names each cue\'s speaker with a voice span', () => {
    const word = (text: string, start: number, speaker: number) => ({ word: text, start, end: start + 0.3, confidence: 1, speaker });
    // No pause between "today" and "fine": only the change of speaker splits them.
    const cues = subtitleCues([word('how', 0, 0), word('are', 0.3, 0), word('you', 0.6, 0), word('today', 0.9, 0), word('fine', 1.2, 1), word('thanks', 1.5, 1)]);
    assert.deepEqual(cues.map((cue) => cue.lines), [['how are you today'], ['fine thanks']]);
    assert.equal(toWebVtt(cues), 'WEBVTT\n\n00:00:00.000 --> 00:00:01.200\n<v SPEAKER_00>how are you today\n\n00:00:01.200 --> 00:00:01.800\n<v SPEAKER_01>fine thanks\n\n');
  });
});

/** An SRT file's cues, read back. */
function parseSrt(srt: string): { index: number; start: number; end: number; lines: string[] }[] {
  const seconds = (stamp: string): number => {
    const [h, m, s] = stamp.replace(',', '.').split(':').map(Number);
    return h! * 3600 + m! * 60 + s!;
  };
  return srt
    .trimEnd()
    .split('\n\n')
    .map((block) => {
      const [index, times, ...lines] = block.split('\n');
      const match = /^(\S+) --> (\S+)$/.exec(times ?? '');
      assert.ok(match, `timing line: ${times}`);
      return { index: Number(index), start: seconds(match[1]!), end: seconds(match[2]!), lines };
    });
}

describe('subtitles, utterances and paragraphs from POST /v1/listen, for real speech', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-subtitles-'));
  let stack: TestStack;
  let goforward: Buffer;
  /** Two LibriVox clips with 3 s of silence after each: two sentences at least. */
  let clips: Buffer;
  /** The first of them and its pause, as PCM: where the second begins. */
  let firstClipWithPause: Buffer;
  const listen = (audio: Buffer, query = '', headers: Record<string, string> = {}) =>
    request(`${stack.apiUrl}/v1/listen${query}`, {
      method: 'POST',
      body: audio,
      headers: { authorization: `Token ${stack.licenseKey}`, 'content-type': 'audio/wav', ...headers },
      timeoutMs: 60_000,
    });

  before(async () => {
    goforward = readFileSync(goforwardWav(dir));
    clips = readFileSync(clipsWithPauses(dir, 2, 3).wav);
    firstClipWithPause = clipsWithPauses(dir, 1, 3).pcm;
    stack = await TestStack.start({ workers: 2, apiEnv: { URL_FETCH_ALLOWED_HOSTS: '127.0.0.1' } });
    await stack.healthy();
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('format=srt, format=vtt and format=text answer the transcript in that format and content type', async () => {
    const srt = await listen(goforward, '?format=srt');
    assert.equal(srt.status, 200, srt.text);
    assert.equal(srt.headers.get('content-type'), 'application/x-subrip; charset=utf-8');
    assert.match(srt.text, /^1\n00:00:0\d,\d{3} --> 00:00:0\d,\d{3}\nGo forward ten meters\.\n\n$/);
    const vtt = await listen(goforward, '?format=vtt&punctuate=false');
    assert.equal(vtt.headers.get('content-type'), 'text/vtt; charset=utf-8');
    assert.match(vtt.text, /^WEBVTT\n\n00:00:0\d\.\d{3} --> 00:00:0\d\.\d{3}\ngo forward ten meters\n\n$/);
    const text = await listen(goforward, '?format=text');
    assert.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(text.text, 'Go forward ten meters.\n');
  });

  test('an Accept header chooses the format; format wins over it; */* and unknown types get JSON', async () => {
    const vtt = await listen(goforward, '', { accept: 'text/vtt' });
    assert.match(vtt.text, /^WEBVTT\n/);
    const srt = await listen(goforward, '', { accept: 'application/x-subrip, application/json;q=0.5' });
    assert.equal(srt.headers.get('content-type'), 'application/x-subrip; charset=utf-8');
    const plain = await listen(goforward, '', { accept: 'text/plain' });
    assert.equal(plain.text, 'Go forward ten meters.\n');
    for (const accept of ['*/*', 'image/png']) {
      const json = await listen(goforward, '', { accept });
      assert.equal(json.json?.text, 'Go forward ten meters.', accept);
    }
    const explicit = await listen(goforward, '?format=json', { accept: 'text/vtt' });
    assert.equal(explicit.json?.text, 'Go forward ten meters.');
  });

  test('a bad format, or a text format with callback_url, is 400 INVALID_PARAMETER naming format', async () => {
    const bad = await listen(goforward, '?format=docx');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'INVALID_PARAMETER');
    assert.equal(bad.json.parameter, 'format');
    const hooked = await listen(goforward, `?format=srt&callback_url=${encodeURIComponent('http://127.0.0.1:9/hook')}`);
    assert.equal(hooked.status, 400);
    assert.equal(hooked.json.parameter, 'format');
  });

  test('utterances and paragraphs, and the SRT of the same speech keeping the cue rules', async () => {
    const [{ status, json }, srt] = await Promise.all([listen(clips, '?utterances=true&paragraphs=true&timestamps=true'), listen(clips, '?format=srt')]);
    assert.equal(status, 200, JSON.stringify(json));
    const { utterances, paragraphs } = json as {
      utterances: { text: string; start: number; end: number; confidence: number; words: RecognizedWord[] }[];
      paragraphs: { text: string; start: number; end: number; sentences: { text: string; start: number; end: number }[] }[];
    };
    assert.ok(utterances.length >= 2, `${utterances.length} utterances`);
    assert.equal(utterances.map((u) => u.text).join(' '), json.text, 'the utterances are the text');
    assert.deepEqual(utterances.flatMap((u) => u.words), json.words, 'and hold its words');
    let previousEnd = 0;
    for (const utterance of utterances) {
      assert.match(utterance.text, /^[A-Z].*\.$/);
      assert.ok(utterance.start >= previousEnd && utterance.end > utterance.start && utterance.end <= json.duration);
      assert.ok(utterance.confidence >= 0 && utterance.confidence <= 1);
      previousEnd = utterance.end;
    }
    // The 3 s pause after the first clip is longer than a paragraph's pause: two paragraphs.
    assert.equal(paragraphs.length, 2, JSON.stringify(paragraphs.map((p) => [p.start, p.end])));
    assert.equal(paragraphs.map((p) => p.text).join(' '), json.text);
    assert.deepEqual(paragraphs.flatMap((p) => p.sentences), utterances.map(({ text, start, end }) => ({ text, start, end })));

    const cues = parseSrt(srt.text);
    assert.ok(cues.length >= utterances.length, `${cues.length} cues`);
    previousEnd = 0;
    cues.forEach((cue, i) => {
      assert.equal(cue.index, i + 1);
      assert.ok(cue.lines.length >= 1 && cue.lines.length <= 2 && cue.lines.every((line) => line.length <= 42), JSON.stringify(cue));
      assert.ok(cue.end - cue.start <= 7 && cue.start >= previousEnd, JSON.stringify(cue));
      previousEnd = cue.end;
    });
    assert.equal(cues.flatMap((cue) => cue.lines).join(' '), json.text, 'the cues are the words of the transcript');

    const short = await listen(goforward, '?utterances=true');
    assert.equal(short.json.utterances[0].words, undefined, 'words only with timestamps=true');
    assert.equal(short.json.paragraphs, undefined);
  });

  test("word times are the audio's: the words after a pause start after it, not early by the silence left out", async () => {
    const { json } = await listen(clips, '?timestamps=true');
    const words = json.words as RecognizedWord[];
    const secondClipAt = firstClipWithPause.length / 32_000;
    const gaps = words.slice(1).map((word, i) => ({ at: word.start, gap: word.start - words[i]!.end }));
    const longest = gaps.reduce((best, gap) => (gap.gap > best.gap ? gap : best));
    // The second clip starts where it is in the audio (its first word may begin a little into it).
    assert.ok(longest.at >= secondClipAt - 0.3 && longest.at <= secondClipAt + 1, `the second clip's first word at ${longest.at} s, the clip at ${secondClipAt} s`);
    assert.ok(longest.gap >= 2.5, `the 3 s pause is a ${longest.gap.toFixed(2)} s gap between words`);
    assert.ok(words.at(-1)!.end <= json.duration && words.at(-1)!.end >= json.duration - 3.5, `the last word ends at ${words.at(-1)!.end} of ${json.duration} s`);
  });

  test('digital silence comes back as no words (the decoders keep silent frames, dithered)', async () => {
    for (const seconds of [0.5, 3]) {
      const silence = wavFile({ formatCode: 1, sampleRate: 16_000, channels: 1, bitsPerSample: 16, data: Buffer.alloc(seconds * 32_000) });
      const { status, json } = await listen(silence, '?timestamps=true');
      assert.equal(status, 200);
      assert.deepEqual([json.text, json.words], ['', []], `${seconds} s of zeros`);
    }
  });

  test('a callback job with utterances=true delivers them in its webhook', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const accepted = await listen(goforward, `?utterances=true&paragraphs=true&callback_url=${encodeURIComponent(receiver.url)}`);
      assert.equal(accepted.status, 202, accepted.text);
      await waitFor('the webhook', async () => (receiver.deliveries.length > 0 ? true : undefined), { timeoutMs: 30_000 });
      const { result } = JSON.parse(receiver.deliveries[0]!.body);
      assert.equal(result.utterances[0].text, 'Go forward ten meters.');
      assert.equal(result.paragraphs[0].sentences.length, 1);
    } finally {
      receiver.stop();
    }
  });
});
