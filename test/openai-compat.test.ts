import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI, { APIError, AuthenticationError, BadRequestError, NotFoundError } from 'openai';
import type { TranscriptionDiarized } from 'openai/resources/audio/transcriptions';
import { ApiError } from '@stt/shared';
import { openAiErrorBody } from '../packages/api-server/src/compat/openai/openai-errors.js';
import { request } from './support/http.js';
import { goforwardWav } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';

const SRT_CUE = /^1\n00:00:0\d,\d{3} --> 00:00:0\d,\d{3}\nGo forward ten meters\.\n\n$/;
const VTT_CUE = /^WEBVTT\n\n00:00:0\d\.\d{3} --> 00:00:0\d\.\d{3}\nGo forward ten meters\.\n\n$/;

describe('the OpenAI-compatible API, with the openai SDK as its client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-openai-'));
  let stack: TestStack;
  let client: OpenAI;
  let wavPath: string;
  let file: File;

  /** The SDK's error for a call that must fail. */
  const refusal = async (call: Promise<unknown>): Promise<APIError> => {
    try {
      await call;
    } catch (error) {
      assert.ok(error instanceof APIError, String(error));
      return error;
    }
    assert.fail('the call succeeded');
  };

  before(async () => {
    wavPath = goforwardWav(dir);
    file = new File([readFileSync(wavPath)], 'goforward.wav', { type: 'audio/wav' });
    stack = await TestStack.start({ workers: 2 });
    await stack.healthy();
    // No retries: a refusal must surface at once, as the status we sent.
    client = new OpenAI({ baseURL: `${stack.apiUrl}/v1`, apiKey: stack.licenseKey, maxRetries: 0, timeout: 60_000 });
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('json (the default): the punctuated text and the audio seconds used', async () => {
    const transcription = await client.audio.transcriptions.create({ file, model: 'whisper-1' });
    assert.equal(transcription.text, 'Go forward ten meters.');
    assert.deepEqual(transcription.usage, { type: 'duration', seconds: 3 });
  });

  test('text, srt and vtt come back as strings; a file streamed from disk works as well as one in memory', async () => {
    const text = await client.audio.transcriptions.create({ file: createReadStream(wavPath), model: 'whisper-1', response_format: 'text' });
    assert.equal(text, 'Go forward ten meters.\n');
    const srt = await client.audio.transcriptions.create({ file, model: 'whisper-1', response_format: 'srt' });
    assert.match(srt, SRT_CUE);
    const vtt = await client.audio.transcriptions.create({ file, model: 'whisper-1', response_format: 'vtt', language: 'en' });
    assert.match(vtt, VTT_CUE);
  });

  test('verbose_json: language by name, duration, segments; words with timestamp_granularities[]=word', async () => {
    const verbose = await client.audio.transcriptions.create({ file, model: 'whisper-1', response_format: 'verbose_json' });
    assert.equal(verbose.language, 'english');
    assert.ok(Math.abs(verbose.duration - 2.9) < 0.2, `duration ${verbose.duration}`);
    assert.equal(verbose.text, 'Go forward ten meters.');
    assert.equal(verbose.words, undefined, 'words only when asked for');
    const [segment] = verbose.segments ?? [];
    assert.ok(segment);
    assert.equal(segment.id, 0);
    assert.equal(segment.text, 'Go forward ten meters.');
    assert.ok(segment.start >= 0 && segment.end > segment.start && segment.end <= verbose.duration);
    assert.ok(segment.avg_logprob <= 0 && segment.compression_ratio > 0 && segment.no_speech_prob === 0 && Array.isArray(segment.tokens));

    const both = await client.audio.transcriptions.create({ file, model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'] });
    assert.deepEqual(both.words?.map((word) => word.word), ['go', 'forward', 'ten', 'meters']);
    let previousEnd = 0;
    for (const word of both.words ?? []) {
      assert.ok(word.start >= previousEnd && word.end > word.start, JSON.stringify(word));
      previousEnd = word.end;
    }
    assert.equal(both.segments?.length, 1);
    const wordsOnly = await client.audio.transcriptions.create({ file, model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['word'] });
    assert.equal(wordsOnly.words?.length, 4);
    assert.equal(wordsOnly.segments, undefined);
  });

  test('diarized_json (gpt-4o-transcribe-diarize): segments with their speaker, lettered as OpenAI does', async () => {
    const diarized = (await client.audio.transcriptions.create({ file, model: 'gpt-4o-transcribe-diarize', response_format: 'diarized_json' })) as unknown as TranscriptionDiarized;
    assert.equal(diarized.task, 'transcribe');
    assert.equal(diarized.text, 'Go forward ten meters.');
    assert.deepEqual(
      diarized.segments.map(({ type, id, speaker, text }) => ({ type, id, speaker, text })),
      [{ type: 'transcript.text.segment', id: 'seg_0', speaker: 'A', text: 'Go forward ten meters.' }],
    );
    assert.ok(diarized.segments[0]!.end > diarized.segments[0]!.start);
  });

  test("OpenAI's model names mean the best served model; a served model by its name; prompt and temperature are accepted", async () => {
    for (const model of ['gpt-4o-transcribe', 'gpt-4o-mini-transcribe', 'en-us']) {
      const transcription = await client.audio.transcriptions.create({ file, model, prompt: 'Directions.', temperature: 0.2 });
      assert.equal(transcription.text, 'Go forward ten meters.', model);
    }
  });

  test('a model nobody serves is 400 in OpenAI\'s shape, listing what is served', async () => {
    const error = await refusal(client.audio.transcriptions.create({ file, model: 'whisper-large-v3' }));
    assert.ok(error instanceof BadRequestError);
    assert.equal(error.status, 400);
    assert.match(error.message, /^400 The model "whisper-large-v3" is not served here\. Served: en-us;/);
    assert.equal(error.type, 'invalid_request_error');
    assert.equal(error.param, 'model');
    assert.equal(error.code, 'invalid_parameter');
    assert.match(error.requestID ?? '', /^req_/);
  });

  test('bad values surface as the SDK\'s errors with our status and message', async () => {
    const language = await refusal(client.audio.transcriptions.create({ file, model: 'whisper-1', language: 'fr' }));
    assert.equal(language.status, 400);
    assert.equal(language.code, 'unsupported_language');
    assert.deepEqual((language.error as { supported_languages?: string[] }).supported_languages, ['en']);
    const format = await refusal(client.audio.transcriptions.create({ file, model: 'whisper-1', response_format: 'ssml' as never }));
    assert.equal(format.param, 'response_format');
    const stream = await refusal(client.audio.transcriptions.create({ file, model: 'gpt-4o-transcribe', stream: true }));
    assert.equal(stream.status, 400);
    assert.equal(stream.param, 'stream');
    const notAudio = await refusal(client.audio.transcriptions.create({ file: new File(['hello, world'], 'notes.txt'), model: 'whisper-1' }));
    assert.equal(notAudio.status, 415);
    assert.equal(notAudio.code, 'unsupported_format');
  });

  test('a wrong key is 401 AuthenticationError', async () => {
    const stranger = new OpenAI({ baseURL: `${stack.apiUrl}/v1`, apiKey: 'sk-not-a-license', maxRetries: 0 });
    const error = await refusal(stranger.audio.transcriptions.create({ file, model: 'whisper-1' }));
    assert.ok(error instanceof AuthenticationError);
    assert.equal(error.code, 'invalid_api_key');
    assert.equal(error.type, 'authentication_error');
    const listing = await refusal(stranger.models.list());
    assert.ok(listing instanceof AuthenticationError);
  });

  test('the error body itself: OpenAI\'s four fields, and our request_id', async () => {
    const form = new FormData();
    form.set('file', file);
    const { status, json } = await request(`${stack.apiUrl}/v1/audio/transcriptions`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${stack.licenseKey}`, 'x-request-id': 'openai-test-1' },
    });
    assert.equal(status, 400);
    assert.deepEqual(json, {
      error: { message: 'You must provide a model parameter.', type: 'invalid_request_error', param: 'model', code: 'missing_parameter' },
      request_id: 'openai-test-1',
    });
  });

  test('models.list() and models.retrieve() show what the workers serve', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    assert.deepEqual(models, [{ id: 'en-us', object: 'model', created: 0, owned_by: 'pocketsphinx' }]);
    assert.equal((await client.models.retrieve('en-us')).id, 'en-us');
    assert.ok((await refusal(client.models.retrieve('whisper-9'))) instanceof NotFoundError);
  });

  test('error types: rate limits, quotas and outages as OpenAI names them', () => {
    const type = (error: ApiError) => (openAiErrorBody(error, 'req_x').error as { type: string }).type;
    assert.equal(type(new ApiError('RATE_LIMIT_EXCEEDED', 'Slow down.', { retry_after: 3 })), 'rate_limit_error');
    assert.equal(type(new ApiError('QUOTA_EXCEEDED', 'Used up.')), 'insufficient_quota');
    assert.equal(type(new ApiError('LICENSE_EXPIRED', 'Expired.')), 'authentication_error');
    assert.equal(type(new ApiError('SERVICE_UNAVAILABLE', 'No workers.')), 'server_error');
    assert.equal(type(new ApiError('REQUEST_TIMEOUT', 'Too long.')), 'server_error');
    assert.deepEqual(openAiErrorBody(new ApiError('RATE_LIMIT_EXCEEDED', 'Slow down.', { retry_after: 3 }), 'req_x'), {
      error: { message: 'Slow down.', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded', retry_after: 3 },
      request_id: 'req_x',
    });
  });
});
