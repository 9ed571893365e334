import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listenLocally, request, waitFor } from './support/http.js';
import { GOFORWARD_RAW } from './support/speech-corpus.js';
import type { ServiceProcess } from './support/service-process.js';
import { StreamClient } from './support/stream-client.js';
import { TestStack } from './support/test-stack.js';
import { wavFile } from './support/wav-file.js';

const TINY_WHISPER = resolve('test/fixtures/models/for-tests-ggml-tiny.en.bin');
const WHISPER_MODEL = 'for-tests-ggml-tiny.en';

/**
 * A whisper.cpp worker beside the PocketSphinx one. Its test model has no tensors: every decode
 * returns "" and costs about 20 s of CPU whatever the audio's length, so this file decodes with
 * it only where the decode is the point (its start-up check and self-test, one batch request and
 * one live utterance, those two at once).
 */
const WHISPER_WORKER = { ASR_ENGINE: 'whisper', ASR_CAPACITY: '2', ASR_THREADS: '1', ASR_SELF_TEST_INTERVAL_S: '86400' } as const;

/** Serves the test model and its `.sha256`, as a model host would. */
async function modelHost(): Promise<{ server: Server; url: string; downloads: () => number }> {
  const model = readFileSync(TINY_WHISPER);
  const sha256 = createHash('sha256').update(model).digest('hex');
  let downloads = 0;
  const server = createServer((req, res) => {
    if (req.url === '/models/for-tests-ggml-tiny.en.bin') {
      downloads++;
      res.writeHead(200, { 'content-length': model.length }).end(model);
    } else if (req.url === '/models/for-tests-ggml-tiny.en.bin.sha256') {
      res.writeHead(200).end(`${sha256}  for-tests-ggml-tiny.en.bin\n`);
    } else {
      res.writeHead(404).end();
    }
  });
  return { server, url: `${await listenLocally(server)}/models/for-tests-ggml-tiny.en.bin`, downloads: () => downloads };
}

describe('engines side by side: PocketSphinx and whisper.cpp in one stack', () => {
  let stack: TestStack;
  let whisper: ServiceProcess;
  let host: Awaited<ReturnType<typeof modelHost>>;
  const cacheDir = mkdtempSync(join(tmpdir(), 'stt-model-cache-'));
  const auth = () => ({ authorization: `Token ${stack.licenseKey}` });
  const speech = () => wavFile({ formatCode: 1, sampleRate: 16_000, channels: 1, bitsPerSample: 16, data: readFileSync(GOFORWARD_RAW) });

  before(async () => {
    host = await modelHost();
    stack = await TestStack.start({ workers: 1 });
    // Ready after the model check and the self-test: two whisper decodes.
    whisper = await stack.startWorker({ ...WHISPER_WORKER, MODEL_URL: host.url, MODEL_CACHE_DIR: cacheDir }, /^Server ready on port/, 180_000);
    await stack.workersReady(2);
  });
  after(async () => {
    await stack?.stop();
    host?.server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test('the whisper worker downloaded, verified and checked its model before loading it', () => {
    const messages = whisper.logs.map((line) => String(line.msg));
    for (const expected of [`Downloading model from ${host.url}`, 'Model checksum verified', 'Checking the model in a child process', 'Model check passed', 'Model loaded successfully']) {
      assert.ok(messages.some((message) => message.startsWith(expected)), `log has "${expected}": ${JSON.stringify(messages)}`);
    }
    assert.equal(host.downloads(), 1);
  });

  test('each worker says what it serves in /health', async () => {
    const health = await request(`${stack.workerUrl(whisper)}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(
      { engine: health.json.engine, model: health.json.model, gpu: health.json.gpu, streaming: health.json.streaming, languages: health.json.languages },
      { engine: 'whisper', model: WHISPER_MODEL, gpu: null, streaming: 'vad-chunked', languages: ['en'] },
    );
    const sphinx = await request(`${stack.workerUrl(stack.workers[0]!)}/health`);
    assert.deepEqual([sphinx.json.engine, sphinx.json.model, sphinx.json.streaming], ['pocketsphinx', 'en-us', 'native']);
  });

  test('/health?detailed=true lists the workers per engine and model', async () => {
    const detailed = await request(`${stack.apiUrl}/health?detailed=true`);
    const models = detailed.json.details.lightning_asr.models as Record<string, unknown>[];
    assert.deepEqual(
      models.map(({ model, engine, workers_ready }) => ({ model, engine, workers_ready })),
      [
        { model: 'en-us', engine: 'pocketsphinx', workers_ready: 1 },
        { model: WHISPER_MODEL, engine: 'whisper', workers_ready: 1 },
      ],
    );
  });

  test('without a model option, the request goes to the model that serves its language (ties: by name)', async () => {
    const response = await request(`${stack.apiUrl}/v1/listen`, { method: 'POST', headers: { ...auth(), 'content-type': 'audio/wav' }, body: speech() });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.metadata.engine, 'pocketsphinx');
    assert.equal(response.json.text, 'Go forward ten meters.');
  });

  test('model names the engine: a batch request and a live stream both reach whisper.cpp', async () => {
    const batch = request(`${stack.apiUrl}/v1/listen?model=${WHISPER_MODEL}&timestamps=true`, {
      method: 'POST',
      timeoutMs: 120_000,
      headers: { ...auth(), 'content-type': 'audio/wav' },
      body: speech(),
    });
    // A vad-chunked stream: the Silero VAD ends the utterance in the silence after the speech.
    const client = await StreamClient.open(`${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream?model=${WHISPER_MODEL}&vad_events=true`, auth());
    await client.sendAudio(Buffer.concat([readFileSync(GOFORWARD_RAW), Buffer.alloc(32_000 * 2)]), { frameBytes: 3200 });
    // The decode takes longer than the session's idle timeout: the client keeps the session alive meanwhile.
    const keepalive = setInterval(() => client.send({ type: 'keepalive' }), 5000);
    const [response, started, final] = await Promise.all([
      batch,
      client.waitFor((message) => message.type === 'speech_started', 120_000),
      client.waitFor((message) => message.type === 'transcription' && message.is_final === true, 120_000),
      // Both decodes run now (each about 20 s): they run off the worker's event loop, which goes on serving.
      client.waitFor((message) => message.type === 'speech_ended', 120_000).then(async () => {
        assert.equal((await request(`${stack.workerUrl(whisper)}/health/live`, { timeoutMs: 3000 })).status, 200);
      }),
    ]).finally(() => clearInterval(keepalive));
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.metadata.engine, 'whisper');
    assert.equal(response.json.metadata.model, WHISPER_MODEL);
    assert.ok(Array.isArray(response.json.words));
    assert.ok(started.timestamp < 1, `speech starts within the first second: ${started.timestamp}`);
    assert.ok(final.end > 2 && final.end < 4.5, `the utterance ends after the words and before the audio does: ${final.end}`);
    client.send({ type: 'close_stream' });
    assert.equal((await client.closed).code, 1000);
  });

  test('an unknown model is a 400 that lists the models served', async () => {
    const response = await request(`${stack.apiUrl}/v1/listen?model=large-v3`, { method: 'POST', headers: { ...auth(), 'content-type': 'audio/wav' }, body: speech() });
    assert.equal(response.status, 400);
    assert.equal(response.json.code, 'INVALID_PARAMETER');
    assert.equal(response.json.parameter, 'model');
    assert.deepEqual(response.json.supported_models, ['en-us', WHISPER_MODEL]);
  });

  test('a language no worker serves is UNSUPPORTED_LANGUAGE with the languages served', async () => {
    const response = await request(`${stack.apiUrl}/v1/listen?language=de`, { method: 'POST', headers: { ...auth(), 'content-type': 'audio/wav' }, body: speech() });
    assert.equal(response.status, 400);
    assert.equal(response.json.code, 'UNSUPPORTED_LANGUAGE');
    assert.deepEqual(response.json.supported_languages, ['en']);
  });

  test('a form whose model comes after its audio, and would change where the audio went, is refused', async () => {
    const form = new FormData();
    form.append('audio', new Blob([speech()], { type: 'audio/wav' }), 'speech.wav');
    form.append('model', WHISPER_MODEL);
    const response = await request(`${stack.apiUrl}/v1/listen`, { method: 'POST', headers: auth(), body: form });
    assert.equal(response.status, 400);
    assert.equal(response.json.parameter, 'model');
    assert.match(response.json.error, /before the audio/);
  });

  test('a restarted worker uses the cached model without downloading it again', async () => {
    host.server.close();
    const again = await stack.startWorker({ ...WHISPER_WORKER, MODEL_URL: host.url, MODEL_CACHE_DIR: cacheDir }, /^Using cached model /);
    assert.equal(host.downloads(), 1);
    await again.kill();
  });
});

describe('a model that cannot be had leaves the worker up, unhealthy, with the reason', () => {
  let stack: TestStack;
  const dir = mkdtempSync(join(tmpdir(), 'stt-bad-model-'));
  before(async () => {
    stack = await TestStack.start({ workers: 0 });
  });
  after(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a worker that must fail to get its model, and returns its /health once it says why. */
  async function failingWorker(env: Record<string, string>, reason: RegExp) {
    const worker = await stack.startWorker({ ASR_ENGINE: 'whisper', ...env }, reason, 60_000);
    const health = await waitFor('the worker to report its reason', async () => {
      const answer = await request(`${stack.workerUrl(worker)}/health`);
      return answer.json.status === 'unhealthy' ? answer : undefined;
    });
    return { worker, health };
  }

  test('a file that is not a whisper model: the model check says so, the worker serves on', async () => {
    const garbage = join(dir, 'garbage.bin');
    writeFileSync(garbage, Buffer.concat([Buffer.from('ggml'), Buffer.alloc(4096, 7)]));
    const { worker, health } = await failingWorker({ MODEL_PATH: garbage }, /garbage\.bin/);
    assert.equal(health.json.status, 'unhealthy');
    assert.match(health.json.reason, /garbage\.bin/);
    assert.doesNotMatch(health.json.reason, /\n\s+at /, 'a sentence, not a stack trace');
    assert.equal((await request(`${stack.workerUrl(worker)}/health/live`)).status, 200, 'the process lives: no restart loop');
    const asr = await waitFor('the API server to see the failing worker', async () => {
      const answer = await request(`${stack.apiUrl}/health/asr`);
      return answer.json.workers_failing_self_test === 1 ? answer : undefined;
    });
    assert.equal(asr.json.workers_ready, 0);
    assert.ok(worker.running);
    await worker.kill();
  });

  test('a download that fails every attempt: the reason names the URL and the attempts', async () => {
    const server = createServer((_req, res) => res.writeHead(503).end());
    const base = await listenLocally(server);
    try {
      const { health } = await failingWorker(
        { MODEL_URL: `${base}/model.bin`, MODEL_SHA256: '0'.repeat(64), MODEL_DOWNLOAD_RETRIES: '1', MODEL_CACHE_DIR: dir },
        /^Download failed after 2 attempts/,
      );
      assert.match(health.json.reason, /^Failed to download model: HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/model\.bin after 2 attempts/);
    } finally {
      server.close();
    }
  });
});
