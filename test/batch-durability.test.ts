import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { request, waitFor } from './support/http.js';
import { concatenatedLibrivox, GOFORWARD_RAW, goforwardWav, setWer } from './support/speech-corpus.js';
import { FAST_TAKEOVER, NO_KEY_LIMITS, TestStack, type Env } from './support/test-stack.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const API_ENV: Env = {
  ...FAST_TAKEOVER.api,
  ...NO_KEY_LIMITS,
  URL_FETCH_ALLOWED_HOSTS: '127.0.0.1',
  // The tests below end well before this if the work is done; a request past it is a failure.
  REQUEST_TIMEOUT_S: '120',
  SEGMENT_MAX_S: '6',
  SEGMENT_MIN_S: '2',
};
const WORKER_ENV: Env = FAST_TAKEOVER.worker;

describe('nothing accepted is lost: bursts, Redis restarts, API servers killed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-durable-'));
  let stack: TestStack;
  let goforward: Buffer;
  let shortClip: Buffer;
  let long: { wav: string; reference: string };
  const auth = (): Record<string, string> => ({ authorization: `Token ${stack.licenseKey}` });
  const postWav = (body: Buffer, requestId: string, base = stack.apiUrl, query = 'punctuate=false') =>
    request(`${base}/v1/listen?${query}`, {
      method: 'POST',
      body,
      headers: { ...auth(), 'content-type': 'audio/wav', 'x-request-id': requestId },
      timeoutMs: 180_000,
    });
  const submitJob = (audio: Buffer, callbackUrl: string, requestId: string, base = stack.apiUrl) =>
    postWav(audio, requestId, base, `punctuate=false&callback_url=${encodeURIComponent(callbackUrl)}`);
  const job = (jobId: string, base = stack.apiUrl) => request(`${base}/v1/listen/${jobId}`, { headers: auth() });

  before(async () => {
    goforward = readFileSync(goforwardWav(dir));
    const clip = join(dir, 'short.wav');
    execFileSync('sox', ['-t', 'raw', '-r', '16000', '-e', 'signed', '-b', '16', '-c', '1', GOFORWARD_RAW, clip, 'trim', '0', '0.3']);
    shortClip = readFileSync(clip);
    long = concatenatedLibrivox(dir, 1);
    // The proxy keeps the usage events in Redis for the test to count (it reports once a day).
    stack = await TestStack.start({ workers: 0, proxy: false, api: false });
    await stack.startProxy({ USAGE_REPORT_INTERVAL_S: '86400' });
    await Promise.all([stack.startWorker(WORKER_ENV), stack.startWorker(WORKER_ENV)]);
    await stack.startApi(API_ENV);
    await stack.workersReady(2);
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a burst of 100 short requests, 8 at a time: every one answered 200', async () => {
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 100) {
          const id = `burst-${next++}`;
          const answer = await postWav(shortClip, id);
          statuses.push(answer.status);
          assert.equal(answer.status, 200, `${id}: ${answer.text}`);
        }
      }),
    );
    assert.equal(statuses.length, 100);
    assert.ok(!stack.api.logs.some((line) => line.level === 'error'), 'nothing logged as an error');
    await nothingLeftBehind();
  });

  test('Redis killed and restarted empty while a request is decoding: its segments are submitted again and it completes', async () => {
    const pending = postWav(readFileSync(long.wav), 'across-redis-restart');
    await waitFor('a segment to start', async () =>
      stack.workers.some((worker) => worker.logs.some((line) => line.msg === 'Segment started' && line.request_id === 'across-redis-restart')) || undefined,
    );
    await restartRedisEmpty();
    const answer = await pending;
    assert.equal(answer.status, 200, answer.text);
    const wer = setWer([{ reference: long.reference, hypothesis: answer.json.text }]);
    assert.ok(wer < 0.35, `the whole audio was transcribed (WER ${wer.toFixed(2)})`);
    await stack.workersReady(2);
  });

  test('Redis down and staying down: a request in flight gets 503 with retry_after, not a 504 minutes later', async () => {
    const pending = postWav(readFileSync(long.wav), 'redis-gone');
    await waitFor('a segment to start', async () =>
      stack.workers.some((worker) => worker.logs.some((line) => line.msg === 'Segment started' && line.request_id === 'redis-gone')) || undefined,
    );
    await stack.redis.stop();
    try {
      const answer = await pending;
      assert.equal(answer.status, 503, answer.text);
      assert.equal(answer.json.code, 'SERVICE_UNAVAILABLE');
      assert.equal(answer.json.error, 'Redis connection failed');
      assert.equal(typeof answer.json.retry_after, 'number');
      assert.equal(answer.headers.get('retry-after'), String(answer.json.retry_after));
    } finally {
      await stack.redis.start();
    }
    await stack.workersReady(2);
  });

  test('the API server that accepted 5 callback jobs is SIGKILLed right after the 202s: a restarted one delivers all 5, each usage event once', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const accepted = await Promise.all(
        Array.from({ length: 5 }, (_, i) => submitJob(i % 2 === 0 ? goforward : readFileSync(long.wav), receiver.url, `orphan-${i}`)),
      );
      for (const answer of accepted) assert.equal(answer.status, 202, answer.text);
      await stack.api.kill();
      await stack.startApi(API_ENV);
      await waitFor('all 5 webhooks', async () => (receiver.accepted().size === 5 ? true : undefined), { timeoutMs: 120_000 });
      for (const answer of accepted) {
        const payload = receiver.accepted().get(answer.json.job_id);
        assert.equal(payload?.status, 'completed');
        const status = await job(answer.json.job_id);
        assert.equal(status.json.status, 'completed');
        assert.equal(status.json.callback.status, 'delivered');
        assert.equal(status.json.work, undefined, 'internals and the signing secret stay hidden');
      }
      for (const delivery of receiver.deliveries) {
        assert.match(String(delivery.headers['x-job-id']), /^job_/);
        assert.match(String(delivery.headers['x-delivery-id']), /^dlv_/);
      }
      assert.ok(stack.api.logs.some((line) => line.msg === 'Resuming callback job'), 'the new server took the jobs over');
      const usage = await usageEvents();
      for (let i = 0; i < 5; i++) {
        assert.equal(usage.filter((event) => event.request_id === `orphan-${i}`).length, 1, `orphan-${i} is billed once`);
      }
      await nothingLeftBehind();
    } finally {
      receiver.stop();
    }
  });

  test('a webhook that keeps failing is retried by another replica after its owner dies, with the same delivery id', async () => {
    const receiver = await WebhookReceiver.start(3);
    const owner = await stack.startReplica(API_ENV);
    try {
      const accepted = await submitJob(goforward, receiver.url, 'retried-elsewhere', owner.url);
      assert.equal(accepted.status, 202);
      await waitFor('two failed attempts', async () => (receiver.deliveries.length >= 2 ? true : undefined), { timeoutMs: 60_000 });
      await owner.api.kill();
      await waitFor('a delivery that lands', async () => (receiver.accepted().size === 1 ? true : undefined), { timeoutMs: 60_000 });
      const ids = new Set(receiver.deliveries.map((delivery) => delivery.headers['x-delivery-id']));
      assert.equal(ids.size, 1, 'every attempt carries the same delivery id');
      const attempts = receiver.deliveries.map((delivery) => Number(delivery.headers['x-delivery-attempt']));
      assert.ok(attempts.every((attempt, i) => i === 0 || attempt >= attempts[i - 1]!), `the schedule went on where it was, not from the start: ${attempts.join(', ')}`);
      const status = await job(accepted.json.job_id);
      assert.equal(status.json.callback.status, 'delivered');
    } finally {
      receiver.stop();
    }
  });

  test('a job that cannot complete after its owner died (its time limit passed) is failed with the reason, not left processing', async () => {
    const receiver = await WebhookReceiver.start();
    const owner = await stack.startReplica({ ...API_ENV, CALLBACK_JOB_TIMEOUT_S: '3' });
    const live = stack.workers.filter((worker) => worker.running);
    for (const worker of live) worker.signal('SIGSTOP');
    try {
      const accepted = await submitJob(goforward, receiver.url, 'cannot-finish', owner.url);
      assert.equal(accepted.status, 202);
      await owner.api.kill();
      const failed = await waitFor('the job to be failed', async () => {
        const status = await job(accepted.json.job_id);
        return status.json.status === 'failed' ? status : undefined;
      }, { timeoutMs: 60_000 });
      assert.equal(failed.json.error.code, 'REQUEST_TIMEOUT');
    } finally {
      for (const worker of live) worker.signal('SIGCONT');
    }
    await waitFor('the failure webhook', async () => (receiver.accepted().size === 1 ? true : undefined), { timeoutMs: 60_000 });
    assert.equal([...receiver.accepted().values()][0]!.status, 'failed');
    receiver.stop();
  });

  /** SIGKILLs redis-server and starts it again on the same port, with none of its data. */
  async function restartRedisEmpty(): Promise<void> {
    process.kill(stack.redis.pid!, 'SIGKILL');
    await stack.redis.exited();
    await stack.redis.start();
  }

  /** No segment audio and no segment job of any ended transcription stays in Redis. */
  async function nothingLeftBehind(): Promise<void> {
    const redis = new Redis(stack.redis.url);
    try {
      await waitFor('no stored audio or segment job left', async () => {
        const left = [...(await redis.keys('stt:audio:*')), ...(await redis.keys('stt:bull:transcription.en-us:job_*'))];
        return left.length === 0 ? true : undefined;
      });
    } finally {
      redis.disconnect();
    }
  }

  async function usageEvents(): Promise<{ request_id: string }[]> {
    const redis = new Redis(stack.redis.url);
    try {
      const entries = await redis.xrange('stt:usage:events', '-', '+');
      return entries.map(([, fields]) => JSON.parse(fields[1]!) as { request_id: string });
    } finally {
      redis.disconnect();
    }
  }
});
