import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { diarizationCorpus, type Dialogue } from './support/dialogue-corpus.js';
import { request, waitFor, type HttpResult } from './support/http.js';
import { TestStack } from './support/test-stack.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * What `diarize=true` answers on every batch route, and its refusals. How well speakers are told
 * apart is test/diarization-accuracy.test.ts's question; here, one two-voice dialogue shows the
 * shapes: turns in time order, a speaker on every word, counts honoured.
 */
describe('diarize=true on the batch API', () => {
  let stack: TestStack;
  let dialogue: Dialogue;
  let audio: Buffer;

  const post = (path: string, body: RequestInit['body'], query = ''): Promise<HttpResult> =>
    request(`${stack.apiUrl}${path}${query}`, { method: 'POST', body, headers: { authorization: `Token ${stack.licenseKey}` }, timeoutMs: 120_000 });
  /** A form with `fields` before the audio, or after it with `audioFirst`. */
  const form = (fields: Record<string, string>, { audioFirst = false } = {}): FormData => {
    const data = new FormData();
    if (audioFirst) data.set('audio', new Blob([audio]), 'dialogue.wav');
    for (const [name, value] of Object.entries(fields)) data.set(name, value);
    if (!audioFirst) data.set('audio', new Blob([audio]), 'dialogue.wav');
    return data;
  };
  const refused = (result: HttpResult, parameter: string): void => {
    assert.equal(result.status, 400, result.text);
    assert.equal(result.json.code, 'INVALID_PARAMETER');
    assert.equal(result.json.parameter, parameter, result.text);
    assert.match(result.json.error, /\w+ \w+/);
  };

  before(async () => {
    dialogue = (await diarizationCorpus()).find((candidate) => candidate.kind === 'flite' && candidate.speakers === 2)!;
    audio = readFileSync(dialogue.wav);
    stack = await TestStack.start({ workers: 2, apiEnv: { URL_FETCH_ALLOWED_HOSTS: '127.0.0.1' } });
    await stack.healthy();
  });
  after(() => stack.stop());

  test('speakers: SPEAKER_nn turns in time order whose text is the transcript; a speaker on every word and utterance', async () => {
    const result = await post('/v1/listen', form({ diarize: 'true', num_speakers: '2', timestamps: 'true', utterances: 'true' }));
    assert.equal(result.status, 200, result.text);
    const { speakers, words, utterances, text } = result.json;
    assert.ok(speakers.length >= 2, `turns of both voices (got ${speakers.length})`);
    assert.deepEqual([...new Set(speakers.map((turn: any) => turn.speaker))].sort(), ['SPEAKER_00', 'SPEAKER_01'], 'num_speakers=2: exactly two');
    assert.equal(speakers[0].speaker, 'SPEAKER_00', 'numbered by first appearance');
    for (let i = 1; i < speakers.length; i++) {
      assert.ok(speakers[i].start >= speakers[i - 1].end, 'in time order, not overlapping');
      assert.notEqual(speakers[i].speaker, speakers[i - 1].speaker, 'a turn ends where the speaker changes');
    }
    assert.equal(speakers.map((turn: any) => turn.text).join(' '), text);
    assert.ok(words.length > 20);
    assert.ok(words.every((word: any) => /^SPEAKER_0[01]$/.test(word.speaker)));
    assert.equal(words.filter((word: any) => word.speaker !== words[0].speaker).length > 0, true);
    for (const utterance of utterances) {
      assert.match(utterance.speaker, /^SPEAKER_0[01]$/);
      assert.ok(utterance.words.every((word: any) => word.speaker === utterance.speaker), 'an utterance is one speaker\'s');
    }
  });

  test('max_speakers=1 puts every word and cue on SPEAKER_00; without diarize there is no speaker anywhere', async () => {
    const one = await post('/v1/listen', form({ diarize: 'true', max_speakers: '1', timestamps: 'true' }));
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.json.speakers.map((turn: any) => turn.speaker), ['SPEAKER_00']);
    assert.ok(one.json.words.every((word: any) => word.speaker === 'SPEAKER_00'));
    const vtt = await post('/v1/listen', form({ diarize: 'true', max_speakers: '1', format: 'vtt' }));
    assert.equal(vtt.status, 200, vtt.text);
    const cueTexts = vtt.text.split('\n\n').slice(1, -1).map((cue) => cue.split('\n')[1]);
    assert.ok(cueTexts.length > 3 && cueTexts.every((line) => line?.startsWith('<v SPEAKER_00>')), vtt.text);
    const plain = await post('/v1/listen', form({ timestamps: 'true', utterances: 'true' }));
    assert.equal(plain.status, 200, plain.text);
    assert.equal(plain.json.speakers, undefined);
    assert.ok(plain.json.words.every((word: any) => word.speaker === undefined));
    assert.ok(plain.json.utterances.every((utterance: any) => utterance.speaker === undefined));
  });

  test('the cloud aliases: utterances per speaker with an integer speaker, and on each word with word_timestamps', async () => {
    const result = await post('/waves/v1/pulse/get_text', form({ diarize: 'true', num_speakers: '2', word_timestamps: 'true' }));
    assert.equal(result.status, 200, result.text);
    const { words, utterances } = result.json;
    assert.deepEqual([...new Set(words.map((word: any) => word.speaker))].sort(), [0, 1]);
    assert.ok(utterances.length >= 2);
    assert.ok(utterances.every((utterance: any) => utterance.speaker === 0 || utterance.speaker === 1));
  });

  test('a callback job diarizes too: the webhook carries speakers', async () => {
    const receiver = await WebhookReceiver.start(0);
    try {
      const accepted = await post('/v1/listen', form({ diarize: 'true', num_speakers: '2', callback_url: receiver.url }));
      assert.equal(accepted.status, 202, accepted.text);
      const delivery = await waitFor('the webhook', async () => receiver.deliveries[0], { timeoutMs: 120_000 });
      const { result } = JSON.parse(delivery.body);
      assert.deepEqual([...new Set(result.speakers.map((turn: any) => turn.speaker))].sort(), ['SPEAKER_00', 'SPEAKER_01']);
    } finally {
      receiver.stop();
    }
  });

  test('invalid combinations: 400 naming the parameter; the server keeps serving', async () => {
    refused(await post('/v1/listen', form({ num_speakers: '2' })), 'num_speakers');
    refused(await post('/v1/listen', form({ max_speakers: '3' })), 'max_speakers');
    refused(await post('/v1/listen', form({ diarize: 'true', num_speakers: '2', max_speakers: '3' })), 'num_speakers');
    refused(await post('/v1/listen', form({ diarize: 'true', min_speakers: '4', max_speakers: '2' })), 'min_speakers');
    refused(await post('/v1/listen', form({ diarize: 'true', num_speakers: '0' })), 'num_speakers');
    refused(await post('/v1/listen', form({ diarize: 'true', max_speakers: '17' })), 'max_speakers');
    refused(await post('/v1/listen', form({ diarize: 'maybe' })), 'diarize');
    // The audio was already on its way to workers gathering no speaker evidence.
    refused(await post('/v1/listen', form({ diarize: 'true' }, { audioFirst: true })), 'diarize');
    refused(await post('/v1/listen', form({ diarize: 'true' }), '?num_speakers=two'), 'num_speakers');
    assert.equal((await request(`${stack.apiUrl}/health`)).status, 200);
  });
});
