import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DeepgramClient, DeepgramError } from '@deepgram/sdk';
import { setTimeout as delay } from 'node:timers/promises';
import { listenLocally, request } from './support/http.js';
import { clipsWithPauses, GOFORWARD_RAW, goforwardWav, wordErrors } from './support/speech-corpus.js';
import { StreamClient, StreamRefused } from './support/stream-client.js';
import { TestStack } from './support/test-stack.js';

const BYTES_PER_SECOND_16K = 32_000;
/** Where the speech of goforward.raw ends: after it, half a second of near-silence. */
const GOFORWARD_SPEECH_BYTES = 72_000;

/** Resolves with `find()`'s first defined answer, checked as messages arrive; fails after `timeoutMs`. */
async function eventually<T>(description: string, find: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  for (const deadline = performance.now() + timeoutMs; performance.now() < deadline; await delay(20)) {
    const found = find();
    if (found !== undefined) return found;
  }
  throw new Error(`no ${description} within ${timeoutMs} ms`);
}

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
      assert.ok(alternative.words.every((word: any) => word.punctuated_word === undefined));
      // One reader throughout: diarized, every word is Deepgram's integer speaker 0.
      assert.deepEqual([...new Set(alternative.words.map((word: any) => word.speaker))], [0]);

      const { utterances } = response.results;
      assert.ok(utterances.length >= 2, `an utterance per clip at least (got ${utterances.length})`);
      for (const utterance of utterances) {
        assert.equal(utterance.channel, 0);
        assert.equal(utterance.speaker, 0);
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
      assert.deepEqual(metadata.warnings.map((warning: any) => warning.parameter).sort(), ['keywords', 'numerals']);
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

  describe('live', () => {
    test('real speech through listen.v1.connect: interim and final Results, SpeechStarted, UtteranceEnd, KeepAlive, Finalize, CloseStream, then Metadata and 1000 with no reconnect', async () => {
      const oneClip = clipsWithPauses(dir, 1);
      const goforwardSpeech = readFileSync(GOFORWARD_RAW).subarray(0, GOFORWARD_SPEECH_BYTES);
      const live = await deepgram.listen.v1.connect({
        model: 'nova-3',
        language: 'en-US',
        encoding: 'linear16',
        sample_rate: 16000,
        channels: 1,
        interim_results: 'true',
        endpointing: 500,
        utterance_end_ms: 1000,
        vad_events: 'true',
        smart_format: 'true',
        numerals: 'true',
      });
      const messages: any[] = [];
      const closes: number[] = [];
      let opens = 0;
      live.on('open', () => opens++);
      live.on('message', (message) => messages.push(message));
      live.on('close', (event) => closes.push(event.code));
      live.connect();
      await live.waitForOpen();
      const sent: Buffer[] = [];
      const stream = async (audio: Buffer): Promise<void> => {
        for (let offset = 0; offset < audio.length; offset += 3200) {
          const frame = audio.subarray(offset, offset + 3200);
          live.sendMedia(frame);
          sent.push(frame);
          await delay((frame.length / BYTES_PER_SECOND_16K) * 1000);
        }
      };
      const finals = (): any[] => messages.filter((message) => message.type === 'Results' && message.is_final);

      live.sendKeepAlive({ type: 'KeepAlive' });
      // A text frame that is no Deepgram command: told so in Deepgram's error shape, and the stream goes on.
      live.socket.send(JSON.stringify({ type: 'finalize' }));
      const notACommand = await eventually('an Error', () => messages.find((message) => message.type === 'Error'));
      assert.equal(notACommand.variant, 'INVALID_PARAMETER');
      assert.match(notACommand.description, /KeepAlive/);
      // An utterance and the pause after it: the endpointer ends it (speech_final), then UtteranceEnd.
      await stream(oneClip.pcm);
      const endpointed = await eventually('speech_final', () => finals().find((message) => message.speech_final));
      const utteranceEnd = await eventually('UtteranceEnd', () => messages.find((message) => message.type === 'UtteranceEnd'));
      assert.ok(messages.indexOf(utteranceEnd) > messages.indexOf(endpointed));
      const endpointedWords = endpointed.channel.alternatives[0].words;
      assert.equal(utteranceEnd.last_word_end, endpointedWords.at(-1).end);
      assert.deepEqual(utteranceEnd.channel, [0, 1]);
      const { errors, words } = wordErrors(oneClip.reference, endpointedWords.map((word: any) => word.word).join(' '));
      assert.ok(errors / words < 0.5, `the right words (${errors}/${words} word errors)`);
      assert.match(endpointed.channel.alternatives[0].transcript, /^[A-Z].*\.$/, 'smart_format punctuates');
      assert.equal(endpointed.from_finalize, false);

      const firstFinal = messages.indexOf(finals()[0]);
      const interims = messages.slice(0, firstFinal).filter((message) => message.type === 'Results' && message.is_final === false);
      assert.ok(interims.some((message) => message.channel.alternatives[0].transcript.length > 0), 'interim Results before the first final');
      assert.ok(interims.every((message) => message.speech_final === false && message.metadata.request_id === endpointed.metadata.request_id));
      const speechStarted = messages.find((message) => message.type === 'SpeechStarted');
      assert.ok(speechStarted !== undefined && messages.indexOf(speechStarted) < firstFinal, 'SpeechStarted before the first final');
      assert.equal(typeof speechStarted.timestamp, 'number');

      // More speech, ended by Finalize rather than by a pause: a final from_finalize, and the stream goes on.
      await stream(goforwardSpeech);
      live.sendFinalize({ type: 'Finalize' });
      const finalized = await eventually('a final from Finalize', () => finals().find((message) => message.from_finalize));
      assert.equal(finalized.speech_final, false);
      assert.deepEqual(
        finalized.channel.alternatives[0].words.map((word: any) => word.word),
        ['go', 'forward', 'ten', 'meters'],
      );
      assert.ok(finalized.start >= endpointed.start + endpointed.duration - 0.001, 'times run from the start of the stream');

      live.sendCloseStream({ type: 'CloseStream' });
      await eventually('the close', () => closes[0]);
      assert.deepEqual(closes, [1000]);
      const metadata = messages.at(-1);
      assert.equal(metadata.type, 'Metadata');
      assert.equal(metadata.request_id, endpointed.metadata.request_id);
      assert.equal(metadata.sha256, createHash('sha256').update(Buffer.concat(sent)).digest('hex'));
      assert.ok(Math.abs(metadata.duration - Buffer.concat(sent).length / BYTES_PER_SECOND_16K) < 0.01, `duration ${metadata.duration}`);
      assert.deepEqual(metadata.warnings.map((warning: any) => warning.parameter).sort(), ['model', 'numerals']);
      assert.deepEqual(messages.filter((message) => message.type === 'Error'), [notACommand], 'no other error on the way');
      // The SDK's own verdict on that close: it does not reconnect.
      assert.equal((live.socket as unknown as { _shouldReconnect: boolean })._shouldReconnect, false);
      assert.equal(opens, 1);
    });

    test('refused before the upgrade in Deepgram shape: more than one channel, a compressed encoding, a wrong key', async () => {
      const url = (query: string): string => `${stack.apiUrl.replace('http', 'ws')}/deepgram/v1/listen?${query}`;
      const auth = { authorization: `Token ${stack.licenseKey}` };
      const refusedWith = (query: string, headers: Record<string, string>): Promise<StreamRefused> =>
        StreamClient.open(url(query), headers).then(
          () => assert.fail('upgraded'),
          (error: unknown) => (error instanceof StreamRefused ? error : assert.fail(String(error))),
        );
      const stereo = await refusedWith('channels=2', auth);
      assert.equal(stereo.status, 400);
      assert.deepEqual([stereo.body.err_code, stereo.body.parameter], ['INVALID_PARAMETER', 'channels']);
      assert.match(stereo.body.err_msg, /one channel/);
      const opus = await refusedWith('encoding=opus', auth);
      assert.match(opus.body.err_msg, /encoding=opus is not decoded live/);
      const wrongKey = await refusedWith('', { authorization: 'Token not-a-key' });
      assert.deepEqual([wrongKey.status, wrongKey.body.err_code], [401, 'INVALID_AUTH']);

      // What the SDK makes of it: its error names the status, and it gives up when told to.
      const stranger = new DeepgramClient({ apiKey: 'not-a-key', baseUrl: `${stack.apiUrl}/deepgram` });
      const live = await stranger.listen.v1.connect({ model: 'nova-3', reconnectAttempts: 0 });
      const failure = new Promise<Error>((resolve) => live.on('error', resolve));
      live.connect();
      assert.match((await failure).message, /401/);
      live.close();
    });
  });
});
