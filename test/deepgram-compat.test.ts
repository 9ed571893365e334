import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DeepgramClient, DeepgramError } from '@deepgram/sdk';
import { listenLocally, request } from './support/http.js';
import { clipsWithPauses, goforwardWav, wordErrors } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';

/** What the SDK threw for a refused request: its status and Deepgram-shaped body. */
async function refusal(promise: Promise<unknown>): Promise<{ statusCode: number | undefined; body: any }> {
  const error = await promise.then(
    () => assert.fail('the request succeeded'),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof DeepgramError, `a DeepgramError (got ${String(error)})`);
  return { statusCode: error.statusCode, body: error.body };
}

describe('Deepgram-compatible API, through the official @deepgram/sdk', () => {
  let stack: TestStack;
  let dir: string;
  let goforward: string;
  let twoClips: ReturnType<typeof clipsWithPauses>;
  let origin: Server;
  let originUrl: string;
  let deepgram: DeepgramClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stt-deepgram-'));
    goforward = goforwardWav(dir);
    twoClips = clipsWithPauses(dir, 2);
    origin = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'audio/wav' });
      response.end(readFileSync(twoClips.wav));
    });
    originUrl = await listenLocally(origin);
    stack = await TestStack.start({ workers: 1, apiEnv: { URL_FETCH_ALLOWED_HOSTS: '127.0.0.1' } });
    await stack.healthy();
    deepgram = new DeepgramClient({ apiKey: stack.licenseKey, baseUrl: `${stack.apiUrl}/deepgram` });
  });
  after(async () => {
    await stack?.stop();
    origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('pre-recorded', () => {
    test('transcribeFile: a Deepgram model name, smart_format: the words, punctuated, with metadata', async () => {
      const response: any = await deepgram.listen.v1.media.transcribeFile(createReadStream(goforward), { model: 'nova-3', smart_format: true, language: 'en-US' });
      const alternative = response.results.channels[0].alternatives[0];
      assert.equal(alternative.transcript, 'Go forward ten meters.');
      assert.deepEqual(
        alternative.words.map((word: any) => word.word),
        ['go', 'forward', 'ten', 'meters'],
      );
      assert.equal(alternative.words.at(-1).punctuated_word, 'meters.');
      assert.ok(alternative.confidence > 0 && alternative.confidence <= 1);
      assert.ok(alternative.words.every((word: any, index: number) => word.end >= word.start && (index === 0 || word.start >= alternative.words[index - 1].end)));
      assert.equal(alternative.paragraphs.paragraphs.length, 1, 'smart_format brings paragraphs');
      assert.equal(alternative.paragraphs.transcript, '\nGo forward ten meters.');

      const { metadata } = response;
      assert.match(metadata.request_id, /^req_/);
      assert.equal(metadata.sha256, createHash('sha256').update(readFileSync(goforward)).digest('hex'));
      assert.equal(metadata.channels, 1);
      assert.ok(Math.abs(metadata.duration - readFileSync(goforward).length / 32_000) < 0.1, `duration ${metadata.duration}`);
      assert.equal(metadata.models.length, 1);
      assert.deepEqual(metadata.model_info[metadata.models[0]], { name: 'en-us', version: metadata.model_info[metadata.models[0]].version, arch: 'pocketsphinx' });
      assert.deepEqual(
        metadata.warnings.map((warning: any) => [warning.parameter, warning.type]),
        [['model', 'model_substituted']],
      );
      assert.equal(response.results.utterances, undefined, 'utterances only on request');
    });

    test('transcribeUrl naming a served model, with utterances, paragraphs, extra and tag; unhonoured options reported in metadata.warnings', async () => {
      const response: any = await deepgram.listen.v1.media.transcribeUrl({
        url: `${originUrl}/two-clips.wav`,
        model: 'en-us' as never,
        utterances: true,
        paragraphs: true,
        diarize: true,
        numerals: true,
        keywords: ['forward:2'],
        profanity_filter: false,
        extra: 'team:voice',
        tag: 'nightly',
      });
      const alternative = response.results.channels[0].alternatives[0];
      const { errors, words } = wordErrors(twoClips.reference, alternative.words.map((word: any) => word.word).join(' '));
      assert.ok(errors / words < 0.5, `recognisable speech (${errors}/${words} word errors)`);
      assert.equal(alternative.transcript, alternative.transcript.toLowerCase(), 'no punctuation unless asked (Deepgram default)');
      assert.ok(alternative.words.every((word: any) => word.punctuated_word === undefined && word.speaker === undefined));

      const { utterances } = response.results;
      assert.ok(utterances.length >= 2, `an utterance per clip at least (got ${utterances.length})`);
      for (const utterance of utterances) {
        assert.equal(utterance.channel, 0);
        assert.equal(typeof utterance.id, 'string');
        assert.equal(utterance.transcript, utterance.words.map((word: any) => word.word).join(' '));
        assert.ok(utterance.start <= utterance.words[0].start && utterance.end >= utterance.words.at(-1).end);
      }
      assert.ok(alternative.paragraphs.paragraphs.length >= 1);
      assert.equal(
        alternative.paragraphs.paragraphs.reduce((count: number, paragraph: any) => count + paragraph.num_words, 0),
        alternative.words.length,
      );

      const { metadata } = response;
      assert.deepEqual(metadata.warnings.map((warning: any) => warning.parameter).sort(), ['diarize', 'keywords', 'numerals']);
      assert.ok(metadata.warnings.every((warning: any) => warning.type === 'unsupported_feature' && warning.message.length > 0));
      assert.deepEqual(metadata.extra, { team: 'voice' });
      assert.deepEqual(metadata.tags, ['nightly']);
    });

    test('refused with a clear 400 in Deepgram shape: an option not available, an unknown model, a bad value', async () => {
      const redact = await refusal(deepgram.listen.v1.media.transcribeFile(createReadStream(goforward), { redact: 'pci' }));
      assert.equal(redact.statusCode, 400);
      assert.equal(redact.body.err_code, 'INVALID_PARAMETER');
      assert.match(redact.body.err_msg, /^redact: Redaction is not available/);
      assert.match(redact.body.request_id, /^req_/);

      const model = await refusal(deepgram.listen.v1.media.transcribeFile(createReadStream(goforward), { model: 'my-own-model' as never }));
      assert.equal(model.statusCode, 400);
      assert.equal(model.body.err_msg, 'Model "my-own-model" is not served here.');
      assert.deepEqual(model.body.supported_models, ['en-us']);

      const bad = await refusal(deepgram.listen.v1.media.transcribeUrl({ url: `${originUrl}/a.wav`, punctuate: 'maybe' as never }));
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.body.err_msg, 'The value of punctuate is not valid.');

      const callback = await refusal(deepgram.listen.v1.media.transcribeUrl({ url: `${originUrl}/a.wav`, callback: 'https://example.com/hook' }));
      assert.match(callback.body.err_msg, /POST \/v1\/listen with callback_url/);
    });

    test('errors seen through the SDK: a wrong key, audio that is not audio, a URL not allowed', async () => {
      const stranger = new DeepgramClient({ apiKey: 'not-a-key', baseUrl: `${stack.apiUrl}/deepgram` });
      const unauthorized = await refusal(stranger.listen.v1.media.transcribeFile(createReadStream(goforward), {}));
      assert.equal(unauthorized.statusCode, 401);
      assert.equal(unauthorized.body.err_code, 'INVALID_AUTH');

      const text = await refusal(deepgram.listen.v1.media.transcribeFile(Buffer.from('this is not audio at all, just words'), {}));
      assert.equal(text.statusCode, 415);
      assert.equal(text.body.err_code, 'UNSUPPORTED_FORMAT');

      const metadataUrl = await refusal(deepgram.listen.v1.media.transcribeUrl({ url: 'http://169.254.169.254/latest/audio.wav' }));
      assert.equal(metadataUrl.statusCode, 400);
      assert.equal(metadataUrl.body.err_code, 'URL_NOT_ALLOWED');
      assert.ok(!JSON.stringify([unauthorized, text, metadataUrl]).includes('    at '), 'no stack trace');
    });

    test('the native /v1/listen is undisturbed: its own body and error envelope', async () => {
      const native = await request(`${stack.apiUrl}/v1/listen`, {
        method: 'POST',
        headers: { authorization: `Token ${stack.licenseKey}`, 'content-type': 'audio/wav' },
        body: readFileSync(goforward),
        timeoutMs: 60_000,
      });
      assert.equal(native.status, 200);
      assert.equal(native.json.text, 'Go forward ten meters.');
      const refused = await request(`${stack.apiUrl}/v1/listen`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: readFileSync(goforward) });
      assert.equal(refused.status, 401);
      assert.equal(refused.json.code, 'INVALID_LICENSE');
    });
  });
});
