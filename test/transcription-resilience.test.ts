import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { request, waitFor, waitForStatus } from './support/http.js';
import type { ServiceProcess } from './support/service-process.js';
import { concatenatedLibrivox, goforwardWav, setWer } from './support/speech-corpus.js';
import { FAST_TAKEOVER, TestStack } from './support/test-stack.js';

const WORKER_ENV = FAST_TAKEOVER.worker;

const segmentsOf = (worker: ServiceProcess, message: string, requestId?: string): number =>
  worker.logs.filter((line) => line.msg === message && (requestId === undefined || line.request_id === requestId)).length;

describe('batch transcription under load and failure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-load-'));
  let stack: TestStack;
  let goforward: Buffer;
  let long: { wav: string; reference: string };
  const post = (body: Buffer, requestId: string, base = stack.apiUrl, signal?: AbortSignal) =>
    fetch(`${base}/v1/listen?punctuate=false`, {
      method: 'POST',
      body,
      headers: { authorization: `Token ${stack.licenseKey}`, 'content-type': 'audio/wav', 'x-request-id': requestId },
      ...(signal ? { signal } : {}),
    });

  before(async () => {
    goforward = readFileSync(goforwardWav(dir));
    long = concatenatedLibrivox(dir, 1);
    stack = await TestStack.start({ workers: 0 });
    await Promise.all([stack.startWorker(WORKER_ENV), stack.startWorker(WORKER_ENV)]);
    await stack.workersReady(2);
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('ten concurrent requests are all answered correctly, spread over both workers', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const response = await post(goforward, `concurrent-${i}`);
        return { status: response.status, body: (await response.json()) as { text: string } };
      }),
    );
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.equal(answer.body.text, 'go forward ten meters');
    }
    for (const worker of stack.workers) {
      const done = worker.logs.filter((line) => line.msg === 'Segment transcribed' && String(line.request_id).startsWith('concurrent-')).length;
      assert.ok(done >= 1, `worker ${worker.pid} decoded ${done} of them`);
    }
  });

  test('a worker killed (SIGKILL) in the middle of a segment: another takes it over and the request completes', async () => {
    const pending = post(readFileSync(long.wav), 'killed-mid-job');
    const busy = await waitFor('a worker to start the segment', async () =>
      stack.workers.find((worker) => worker.running && segmentsOf(worker, 'Segment started', 'killed-mid-job') > 0),
    );
    await busy.kill();
    const response = await pending;
    assert.equal(response.status, 200);
    const body = (await response.json()) as { text: string; metadata: { segments: number } };
    assert.ok(setWer([{ reference: long.reference, hypothesis: body.text }]) < 0.35, body.text);
    const survivor = stack.workers.find((worker) => worker.running)!;
    assert.equal(segmentsOf(survivor, 'Segment transcribed', 'killed-mid-job'), body.metadata.segments, 'the survivor decoded every segment, the killed one\'s too');
    await stack.startWorker(WORKER_ENV);
  });

  test('no live worker: 503 SERVICE_UNAVAILABLE at once, with retry_after and Retry-After', async () => {
    const live = stack.workers.filter((worker) => worker.running);
    await Promise.all(live.map((worker) => worker.kill()));
    await waitForStatus(`${stack.apiUrl}/health`, 503);
    const response = await post(goforward, 'no-workers');
    assert.equal(response.status, 503);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.code, 'SERVICE_UNAVAILABLE');
    assert.equal(body.error, 'No ASR workers available');
    assert.equal(body.retry_after, 30);
    assert.equal(response.headers.get('retry-after'), '30');
    await stack.startWorker(WORKER_ENV);
    await waitForStatus(`${stack.apiUrl}/health`, 200);
  });

  test('past its time limit a synchronous request gets 504 and its segments are cancelled', async () => {
    const hurried = await stack.startExtraApi({ REQUEST_TIMEOUT_S: '1', SEGMENT_MAX_S: '6', SEGMENT_MIN_S: '2' });
    const response = await post(readFileSync(long.wav), 'too-slow', hurried);
    assert.equal(response.status, 504);
    assert.equal(((await response.json()) as { code: string }).code, 'REQUEST_TIMEOUT');
    await assertNothingLeft('too-slow');
  });

  test('a client that disconnects cancels its request', async () => {
    const controller = new AbortController();
    const pending = post(Buffer.concat([readFileSync(long.wav)]), 'walked-away', stack.apiUrl, controller.signal).catch((error: Error) => error);
    await waitFor('the first segment to start', async () =>
      stack.workers.find((worker) => worker.running && segmentsOf(worker, 'Segment started', 'walked-away') > 0),
    );
    controller.abort();
    assert.ok((await pending) instanceof Error);
    await assertNothingLeft('walked-away');
  });

  test('a queue deeper than its bound: 503 with retry_after, before any audio is read', async () => {
    const bounded = await stack.startExtraApi({ QUEUE_MAX_SEGMENTS: '1', SEGMENT_MAX_S: '6', SEGMENT_MIN_S: '2' });
    // One worker of capacity 1 with a 25 s file in 6 s segments: several segments wait.
    const first = post(readFileSync(long.wav), 'fills-queue', bounded);
    await waitFor('segments waiting', async () => {
      const redis = new Redis(stack.redis.url);
      try {
        const waiting = await redis.llen('stt:bull:transcription.en-us:wait');
        return waiting >= 1 ? waiting : undefined;
      } finally {
        redis.disconnect();
      }
    });
    const refused = await post(goforward, 'refused', bounded);
    assert.equal(refused.status, 503);
    const body = (await refused.json()) as Record<string, unknown>;
    assert.equal(body.code, 'SERVICE_UNAVAILABLE');
    assert.equal(body.error, 'The transcription queue is full.');
    assert.equal(typeof body.retry_after, 'number');
    assert.equal((await first).status, 200);
  });

  /** The request's audio is gone from Redis and no worker decodes more of it. */
  async function assertNothingLeft(requestId: string): Promise<void> {
    const redis = new Redis(stack.redis.url);
    try {
      await waitFor('stored audio deleted', async () => ((await redis.keys('stt:audio:*')).length === 0 ? true : undefined));
      await waitFor('no segment of it waiting', async () => ((await redis.llen('stt:bull:transcription.en-us:wait')) === 0 ? true : undefined));
    } finally {
      redis.disconnect();
    }
    const startedBefore = stack.workers.reduce((sum, worker) => sum + segmentsOf(worker, 'Segment started', requestId), 0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const startedAfter = stack.workers.reduce((sum, worker) => sum + segmentsOf(worker, 'Segment started', requestId), 0);
    assert.equal(startedAfter, startedBefore, 'no segment of a cancelled request starts afterwards');
  }
});
