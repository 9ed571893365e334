import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listenLocally, request, type HttpResult } from './support/http.js';
import { convert, goforwardWav } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';

describe('bad input gets a clear error and the server keeps serving', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-bad-'));
  let stack: TestStack;
  let strictApi: string;
  let files: Server;
  let filesUrl: string;
  let goforward: string;

  const post = (base: string, body: RequestInit['body'], query = '', headers: Record<string, string> = {}) =>
    request(`${base}/v1/listen${query}`, {
      method: 'POST',
      body,
      headers: { authorization: `Token ${stack.licenseKey}`, ...headers },
      timeoutMs: 60_000,
    });
  const form = (file: Buffer | undefined, fields: Record<string, string> = {}): FormData => {
    const data = new FormData();
    for (const [name, value] of Object.entries(fields)) data.set(name, value);
    if (file) data.set('audio', new Blob([file]), 'audio');
    return data;
  };
  const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });

  /** The contract's envelope, and nothing internal in it. */
  function assertError(result: HttpResult, status: number, code: string): void {
    assert.equal(result.status, status, result.text);
    assert.equal(result.json.code, code, result.text);
    assert.equal(typeof result.json.error, 'string');
    assert.ok(result.json.error.length > 10, 'a sentence');
    assert.match(result.json.request_id, /^req_/);
    assert.doesNotMatch(result.text, /\n\s+at |node_modules|ffmpeg version|ECONNREFUSED|127\.0\.0\.1:\d+\//);
  }

  before(async () => {
    goforward = goforwardWav(dir);
    files = createServer((req, res) => {
      res.statusCode = req.url === '/missing.wav' ? 404 : 200;
      res.end(req.url === '/missing.wav' ? 'not here' : readFileSync(goforward));
    });
    filesUrl = await listenLocally(files);
    stack = await TestStack.start({ workers: 1 });
    await stack.healthy();
    // A second API server with tight limits, sharing the same workers.
    strictApi = await stack.startExtraApi({ MAX_AUDIO_DURATION_S: '2', MAX_UPLOAD_MB: '1', URL_FETCH_ALLOWED_HOSTS: '127.0.0.1' });
    await stack.healthy();
  });
  after(async () => {
    await stack.stop();
    files.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('neither audio nor url: 400 MISSING_PARAMETER', async () => {
    assertError(await post(stack.apiUrl, undefined), 400, 'MISSING_PARAMETER');
    const empty = json({ punctuate: true });
    assertError(await post(stack.apiUrl, empty.body, '', empty.headers), 400, 'MISSING_PARAMETER');
    assertError(await post(stack.apiUrl, form(undefined, { punctuate: 'true' })), 400, 'MISSING_PARAMETER');
  });

  test('both audio and url: 400 INVALID_PARAMETER naming url', async () => {
    const both = await post(stack.apiUrl, form(readFileSync(goforward), { url: `${filesUrl}/a.wav` }));
    assertError(both, 400, 'INVALID_PARAMETER');
    assert.equal(both.json.parameter, 'url');
    // A large body refused before it is read: the client still gets the answer, not a reset.
    const large = Buffer.concat([readFileSync(goforward), Buffer.alloc(8_000_000)]);
    const raw = await post(stack.apiUrl, large, `?url=${encodeURIComponent(`${filesUrl}/a.wav`)}`, { 'content-type': 'audio/wav' });
    assertError(raw, 400, 'INVALID_PARAMETER');
    const multipart = await post(stack.apiUrl, form(large, { url: `${filesUrl}/a.wav` }));
    assertError(multipart, 400, 'INVALID_PARAMETER');
    assertError(await post(stack.apiUrl, form(Buffer.concat([Buffer.from('not audio'), large]))), 415, 'UNSUPPORTED_FORMAT');
  });

  test('bytes that are no supported audio: 415 UNSUPPORTED_FORMAT with supported_formats', async () => {
    const result = await post(stack.apiUrl, form(Buffer.from('this is plain text, not audio at all')));
    assertError(result, 415, 'UNSUPPORTED_FORMAT');
    assert.deepEqual(result.json.supported_formats, ['wav', 'mp3', 'flac', 'ogg', 'm4a']);
    assertError(await post(stack.apiUrl, Buffer.from('%PDF-1.7 not audio'), '', { 'content-type': 'application/octet-stream' }), 415, 'UNSUPPORTED_FORMAT');
  });

  test('a known container with corrupt or empty audio: 422 INVALID_AUDIO', async () => {
    const wav = readFileSync(goforward);
    assertError(await post(stack.apiUrl, form(wav.subarray(0, 44))), 422, 'INVALID_AUDIO');
    const mp3 = readFileSync(convert(goforward, join(dir, 'gf.mp3')));
    const corrupt = Buffer.concat([mp3.subarray(0, 10), Buffer.alloc(4000, 0x55)]);
    assertError(await post(stack.apiUrl, form(corrupt)), 422, 'INVALID_AUDIO');
    const flac = readFileSync(convert(goforward, join(dir, 'gf.flac')));
    assertError(await post(stack.apiUrl, form(flac.subarray(0, 200))), 422, 'INVALID_AUDIO');
  });

  test('over the duration limit: 422 AUDIO_TOO_LONG with max_duration_seconds', async () => {
    const result = await post(strictApi, form(readFileSync(goforward)));
    assertError(result, 422, 'AUDIO_TOO_LONG');
    assert.equal(result.json.max_duration_seconds, 2);
  });

  test('over the size limit: 422 FILE_TOO_LARGE with max_size_mb, multipart and raw', async () => {
    const big = join(dir, 'big.wav');
    // 1.5 s of 48 kHz stereo 64-bit float: over 1 MB, yet under the 2 s duration limit.
    execFileSync('sox', ['-n', '-r', '48000', '-e', 'floating-point', '-b', '64', '-c', '2', big, 'synth', '1.5', 'sine', '440']);
    const multipart = await post(strictApi, form(readFileSync(big)));
    assertError(multipart, 422, 'FILE_TOO_LARGE');
    assert.equal(multipart.json.max_size_mb, 1);
    const raw = await post(strictApi, readFileSync(big), '', { 'content-type': 'audio/wav' });
    assertError(raw, 422, 'FILE_TOO_LARGE');
  });

  test('unsupported language and bad option values: 400 with what was wrong', async () => {
    const wav = readFileSync(goforward);
    const language = await post(stack.apiUrl, form(wav, { language: 'fr' }));
    assertError(language, 400, 'UNSUPPORTED_LANGUAGE');
    assert.deepEqual(language.json.supported_languages, ['en']);
    const punctuate = await post(stack.apiUrl, form(wav, { punctuate: 'maybe' }));
    assertError(punctuate, 400, 'INVALID_PARAMETER');
    assert.equal(punctuate.json.parameter, 'punctuate');
    const regional = await post(stack.apiUrl, form(wav, { language: 'en-US', punctuate: 'false' }));
    assert.equal(regional.status, 200);
    assert.equal(regional.json.text, 'go forward ten meters');
  });

  test('URLs to internal addresses or other schemes: 400 URL_NOT_ALLOWED; upstream errors: URL_FETCH_FAILED', async () => {
    for (const url of [`${filesUrl}/a.wav`, 'http://169.254.169.254/latest/meta-data', 'http://2130706433/', 'http://[::ffff:127.0.0.1]/', 'file:///etc/passwd']) {
      const body = json({ url });
      assertError(await post(stack.apiUrl, body.body, '', body.headers), 400, 'URL_NOT_ALLOWED');
    }
    const missing = json({ url: `${filesUrl}/missing.wav` });
    const failed = await post(strictApi, missing.body, '', missing.headers);
    assertError(failed, 400, 'URL_FETCH_FAILED');
    assert.equal(failed.json.upstream_status, 404);
    const callback = await post(stack.apiUrl, form(readFileSync(goforward), { callback_url: 'http://10.0.0.1/hook' }));
    assertError(callback, 400, 'URL_NOT_ALLOWED');
  });

  test('after all that: still healthy, no ffmpeg left behind, no audio left in Redis', async () => {
    assert.equal((await request(`${stack.apiUrl}/health`)).status, 200);
    const ok = await post(stack.apiUrl, form(readFileSync(goforward), { punctuate: 'false' }));
    assert.equal(ok.json.text, 'go forward ten meters');
    const children = spawnSync('pgrep', ['-P', String(stack.api.pid), 'ffmpeg'], { encoding: 'utf8' });
    assert.equal(children.stdout.trim(), '', 'no ffmpeg child of the API server');
    const { Redis } = await import('ioredis');
    const redis = new Redis(stack.redis.url);
    try {
      assert.deepEqual(await redis.keys('stt:audio:*'), []);
    } finally {
      redis.disconnect();
    }
  });
});

