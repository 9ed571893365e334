import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { parseCallback, SttClient, SttError, verifyCallbackSignature, type StreamMessage, type UploadProgress } from '@stt/client';
import { FakeStreamServer } from './support/fake-stream-server.js';
import { freePort } from './support/free-port.js';
import { listenLocally, waitFor } from './support/http.js';
import { GOFORWARD_RAW, goforwardWav } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const GO_FORWARD = 'go forward ten meters';

describe('the typed client (@stt/client) against the real stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-client-'));
  let stack: TestStack;
  let client: SttClient;
  let wav: string;
  let files: Server;
  let filesUrl: string;

  before(async () => {
    wav = goforwardWav(dir);
    files = createServer((_request, response) => response.end(readFileSync(wav)));
    filesUrl = await listenLocally(files);
    stack = await TestStack.start({ workers: 1, apiEnv: { URL_FETCH_ALLOWED_HOSTS: '127.0.0.1', CALLBACK_INITIAL_BACKOFF_MS: '100' } });
    await stack.healthy();
    client = new SttClient({ baseUrl: stack.apiUrl, apiKey: stack.licenseKey });
  });
  after(async () => {
    await stack.stop();
    files.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a file path, bytes, a stream and a URL all come back as the transcript', async () => {
    const inputs = [wav, readFileSync(wav), createReadStream(wav), new URL(`${filesUrl}/goforward.wav`)];
    for (const input of inputs) {
      const transcript = await client.transcribe(input, { punctuate: false });
      assert.equal(transcript.text, GO_FORWARD, `input ${input.constructor.name}`);
      assert.match(transcript.request_id, /^req_/);
      assert.equal(transcript.language, 'en');
    }
    const timed = await client.transcribe(wav, { timestamps: true, requestId: 'client-test-1' });
    assert.equal(timed.text, 'Go forward ten meters.');
    assert.equal(timed.request_id, 'client-test-1');
    assert.deepEqual(timed.words?.map((word) => word.word), GO_FORWARD.split(' '));
    const diarized = await client.transcribe(wav, { diarize: true, maxSpeakers: 1, timestamps: true });
    assert.deepEqual(diarized.speakers, [{ speaker: 'SPEAKER_00', text: 'Go forward ten meters.', start: diarized.words![0]!.start, end: diarized.words!.at(-1)!.end }]);
    assert.ok(diarized.words!.every((word) => word.speaker === 'SPEAKER_00'));
  });

  test('format srt and vtt come back as the subtitle text the server wrote', async () => {
    const srt = await client.transcribe(wav, { format: 'srt', punctuate: false });
    assert.match(srt, /^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\r?\ngo forward ten meters/m);
    const vtt = await client.transcribe(wav, { format: 'vtt', punctuate: false });
    assert.match(vtt, /^WEBVTT/);
    assert.match(vtt, /^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$/m);
    const text = await client.transcribe(wav, { format: 'text', punctuate: false });
    assert.equal(text.trim(), GO_FORWARD);
  });

  test('upload progress rises to the file size; a stream of unknown size reports bytes without a total', async () => {
    const size = readFileSync(wav).length;
    const seen: UploadProgress[] = [];
    await client.transcribe(wav, { onUploadProgress: (progress) => seen.push(progress) });
    assert.ok(seen.length >= 3, `several progress events (got ${seen.length})`);
    assert.deepEqual(seen[0], { loaded: 0, total: size });
    assert.deepEqual(seen.at(-1), { loaded: size, total: size });
    assert.ok(seen.every((progress, index) => index === 0 || progress.loaded > seen[index - 1]!.loaded), 'loaded only grows');

    const streamed: UploadProgress[] = [];
    await client.transcribe(createReadStream(wav), { onUploadProgress: (progress) => streamed.push(progress) });
    assert.deepEqual(streamed.at(-1), { loaded: size, total: undefined });
  });

  test('a refusal is an SttError with the server\'s code, status, request id and extra fields', async () => {
    const stranger = new SttClient({ baseUrl: stack.apiUrl, apiKey: 'not-a-key' });
    const refused = await stranger.transcribe(wav, { requestId: 'client-bad-key' }).catch((error: unknown) => error);
    assert.ok(refused instanceof SttError);
    assert.equal(refused.code, 'INVALID_LICENSE');
    assert.equal(refused.status, 401);
    assert.equal(refused.requestId, 'client-bad-key');
    assert.equal(refused.retryable, false);

    const notAudio = await client.transcribe(Buffer.from('this is not audio at all, just some text'.repeat(20))).catch((error: unknown) => error);
    assert.ok(notAudio instanceof SttError);
    assert.equal(notAudio.code, 'UNSUPPORTED_FORMAT');
    assert.equal(notAudio.status, 415);
    assert.ok(Array.isArray(notAudio.details.supported_formats));

    const nobody = new SttClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, retry: { maxRetries: 0 } });
    const unreachable = await nobody.health().catch((error: unknown) => error);
    assert.ok(unreachable instanceof SttError);
    assert.equal(unreachable.code, 'NETWORK_ERROR');
    assert.match(unreachable.message, /ECONNREFUSED/);
  });

  test('a real 429 (concurrency limit) is retried after the Retry-After the server sent, and then succeeds', async () => {
    const limitedUrl = await stack.startExtraApi({ RATE_LIMIT_CONCURRENT: '1' });
    await waitFor('the second API server healthy', async () => ((await new SttClient({ baseUrl: limitedUrl }).health()).status === 'healthy' ? true : undefined));
    const key = stack.issueKey();
    const audio = readFileSync(wav);
    /** The audio, its body held back after the first bytes until `release` settles: the key's one slot stays taken. */
    async function* heldBack(release: Promise<unknown>): AsyncGenerator<Uint8Array> {
      yield audio.subarray(0, 1000);
      await release.catch(() => undefined);
      yield audio.subarray(1000);
    }
    const holder = new SttClient({ baseUrl: limitedUrl, apiKey: key, retry: { maxRetries: 0 } });
    let bytesSent!: () => void;
    const sending = (): Promise<void> => new Promise((resolve) => (bytesSent = resolve));
    const onBytesSent = ({ loaded }: UploadProgress): void => {
      if (loaded > 0) bytesSent();
    };

    const retries: { delayMs: number; error: SttError }[] = [];
    let firstRetry!: () => void;
    const retried = new Promise<void>((resolve) => (firstRetry = resolve));
    const limited = new SttClient({ baseUrl: limitedUrl, apiKey: key, retry: { maxRetries: 20 }, onRetry: (event) => { retries.push(event); firstRetry(); } });
    const firstSent = sending();
    const first = holder.transcribe(heldBack(retried), { punctuate: false, onUploadProgress: onBytesSent });
    await firstSent;
    // Its headers are out; the server takes the slot as they arrive.
    await delay(200);
    const second = await limited.transcribe(wav, { punctuate: false });
    assert.equal((await first).text, GO_FORWARD);
    assert.equal(second.text, GO_FORWARD);
    assert.equal(retries[0]?.error.code, 'RATE_LIMIT_EXCEEDED');
    assert.equal(retries[0]?.error.status, 429);
    assert.equal(retries[0]?.error.retryAfter, 1, 'the Retry-After header');
    assert.equal(retries[0]?.delayMs, 1000, 'waited what the server asked');

    // A client that may wait no longer than 0 ms gets the 429 thrown, with what the server asked.
    const impatient = new SttClient({ baseUrl: limitedUrl, apiKey: key, retry: { maxRetryAfterMs: 0 } });
    let refusedNow!: (error: unknown) => void;
    const sent = sending();
    const blocked = holder.transcribe(heldBack(new Promise((resolve) => (refusedNow = resolve))), { punctuate: false, onUploadProgress: onBytesSent });
    await sent;
    await delay(200);
    const refused = await impatient.transcribe(wav).catch((error: unknown) => error);
    refusedNow(refused);
    await blocked;
    assert.ok(refused instanceof SttError);
    assert.equal(refused.code, 'RATE_LIMIT_EXCEEDED');
    assert.equal(refused.retryAfter, 1);
  });

  test('a 503 with Retry-After from a server of the test\'s own is waited out, then the answer is the 200', async () => {
    let requests = 0;
    const busy = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        requests++;
        if (requests === 1) {
          response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' });
          response.end(JSON.stringify({ error: 'No ASR workers available', code: 'SERVICE_UNAVAILABLE', request_id: 'req_busy', retry_after: 2 }));
        } else {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ request_id: 'req_ok', text: GO_FORWARD, confidence: 1, duration: 1.5, language: 'en', metadata: {} }));
        }
      });
    });
    const url = await listenLocally(busy);
    try {
      const waits: number[] = [];
      const patient = new SttClient({ baseUrl: url, apiKey: 'k', onRetry: (event) => waits.push(event.delayMs) });
      const transcript = await patient.transcribe(readFileSync(wav));
      assert.equal(transcript.text, GO_FORWARD);
      assert.equal(requests, 2);
      assert.deepEqual(waits, [2000]);
    } finally {
      busy.close();
    }
  });

  test('a callback arrives signed: parseCallback accepts it with the key, refuses another key or a changed body', async () => {
    const receiver = await WebhookReceiver.start(0);
    try {
      const accepted = await client.submit(wav, { callbackUrl: receiver.url, punctuate: false });
      assert.equal(accepted.status, 'processing');
      await waitFor('the callback', async () => receiver.deliveries[0], { timeoutMs: 60_000 });
      const { body, headers } = receiver.deliveries[0]!;
      const payload = parseCallback(body, headers['x-signature'], stack.licenseKey);
      assert.equal(payload.job_id, accepted.job_id);
      assert.equal(payload.status, 'completed');
      assert.equal(payload.status === 'completed' ? payload.result.text : undefined, GO_FORWARD);
      assert.equal(verifyCallbackSignature(body, headers['x-signature'], stack.issueKey()), false);
      assert.equal(verifyCallbackSignature(body.replace('go forward', 'go backward'), headers['x-signature'], stack.licenseKey), false);
      assert.throws(() => parseCallback(body, undefined, stack.licenseKey), (error: unknown) => error instanceof SttError && error.code === 'INVALID_SIGNATURE');
      const job = await client.job(accepted.job_id);
      assert.equal(job.status, 'completed');
    } finally {
      receiver.stop();
    }
  });

  test('a live stream yields interims and finals of real speech through the async iterator, then ends after close 1000', async () => {
    const stream = await client.stream({ punctuate: false, readHighWaterMark: 2 });
    assert.match(stream.session.session_id, /\S/);
    const pcm = readFileSync(GOFORWARD_RAW);
    const sending = (async () => {
      for (let offset = 0; offset < pcm.length; offset += 3200) await stream.send(pcm.subarray(offset, offset + 3200));
      stream.end();
    })();
    const messages: StreamMessage[] = [];
    for await (const message of stream) {
      messages.push(message);
      // A slow reader: the socket is paused meanwhile and nothing is lost.
      await delay(20);
    }
    await sending;
    const finals = messages.filter((message) => message.type === 'transcription' && message.is_final);
    assert.ok(messages.some((message) => message.type === 'transcription' && !message.is_final), 'interims before the final');
    assert.equal(finals.map((final) => (final.type === 'transcription' ? final.transcript : '')).join(' ').trim(), GO_FORWARD);
    const last = finals.at(-1);
    assert.equal(last?.type === 'transcription' && last.is_last, true);
    assert.equal((await stream.closed).code, 1000);
  });

  test('a stream refused with a bad key rejects at once with INVALID_LICENSE', async () => {
    const refused = await new SttClient({ baseUrl: stack.apiUrl, apiKey: 'nope' }).stream().catch((error: unknown) => error);
    assert.ok(refused instanceof SttError);
    assert.equal(refused.code, 'INVALID_LICENSE');
    assert.equal(refused.status, 401);
  });

  test('a stream closed 1013 and then refused 503 with Retry-After is retried until a session starts', async () => {
    const fake = await FakeStreamServer.start((attempt) => {
      if (attempt === 1) {
        return {
          accept: (socket) => {
            socket.send(JSON.stringify({ type: 'error', code: 'SERVICE_UNAVAILABLE', message: 'No room for the stream now.' }));
            socket.close(1013);
          },
        };
      }
      if (attempt === 2) return { refuse: { status: 503, headers: { 'retry-after': '1' }, body: { error: 'busy', code: 'SERVICE_UNAVAILABLE', request_id: 'req_x', retry_after: 1 } } };
      return {
        accept: (socket) => {
          socket.send(JSON.stringify({ type: 'session_started', session_id: 'fake-session' }));
          socket.on('message', (data) => {
            if (JSON.parse(String(data)).type !== 'close_stream') return;
            socket.send(JSON.stringify({ type: 'transcription', session_id: 'fake-session', transcript: 'hello', is_final: true, is_last: true, start: 0, end: 1, confidence: 1 }));
            socket.close(1000);
          });
        },
      };
    });
    try {
      const retries: SttError[] = [];
      const waits: number[] = [];
      const retrying = new SttClient({ baseUrl: fake.url, apiKey: 'k', retry: { initialDelayMs: 50 }, onRetry: (event) => { retries.push(event.error); waits.push(event.delayMs); } });
      const stream = await retrying.stream();
      assert.equal(stream.session.session_id, 'fake-session');
      assert.equal(fake.attempts, 3);
      assert.deepEqual(retries.map((error) => [error.code, error.closeCode, error.status]), [['SERVICE_UNAVAILABLE', 1013, undefined], ['SERVICE_UNAVAILABLE', undefined, 503]]);
      assert.equal(waits[1], 1000, 'the 503\'s Retry-After');
      stream.end();
      const messages: StreamMessage[] = [];
      for await (const message of stream) messages.push(message);
      assert.deepEqual(messages.map((message) => (message.type === 'transcription' ? message.transcript : message.type)), ['hello']);
    } finally {
      fake.stop();
    }
  });

  test('a base URL with a path prefix (an API behind a proxy at /stt) keeps it on every request', async () => {
    const paths: string[] = [];
    const proxy = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'healthy' }));
    });
    const url = await listenLocally(proxy);
    try {
      for (const baseUrl of [`${url}/stt`, `${url}/stt/`]) await new SttClient({ baseUrl, apiKey: 'k' }).health();
      assert.deepEqual(paths, ['/stt/health', '/stt/health']);
    } finally {
      proxy.close();
    }
  });

  test('health: the verdict, the detailed components, one component', async () => {
    assert.deepEqual(await client.health(), { status: 'healthy' });
    const detailed = await client.detailedHealth();
    assert.deepEqual(detailed.components, { api_server: 'healthy', lightning_asr: 'healthy', license_proxy: 'healthy', redis: 'healthy' });
    assert.equal(detailed.details.lightning_asr.workers_ready, 1);
    const asr = await client.componentHealth('asr');
    assert.equal(asr.status, 'healthy');
    assert.equal(asr.workers_ready, 1);
    assert.equal(await client.live(), true);
  });
});
