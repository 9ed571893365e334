import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { TranscriptionQueue } from '@stt/api-server';
import { createLogger, createRedis, RedisKeys, redisReady } from '@stt/shared';
import { request, waitFor } from './support/http.js';
import { sampleValue } from './support/promql.js';
import { clipsWithPauses } from './support/speech-corpus.js';
import { StreamClient } from './support/stream-client.js';
import { TestStack } from './support/test-stack.js';

/**
 * The metrics the alerts of deploy/prometheus/alerts.yml watch that the services did not have
 * before, on real processes: the batch queue's depth, the utterances of live streams waiting for
 * their finals, and the latency of live messages. (The grace period's gauges: license-grace.test.ts.)
 */
describe('the metrics behind the queue and latency alerts', () => {
  let stack: TestStack;
  let redis: Redis;
  let queue: TranscriptionQueue;
  let dir: string;
  const auth = (): Record<string, string> => ({ authorization: `Token ${stack.licenseKey}` });
  const apiMetrics = async (): Promise<string> => (await request(`${stack.apiUrl}/metrics`, { headers: auth() })).text;
  const workerMetrics = async (): Promise<string> => (await request(`${stack.workerUrl(stack.workers[0]!)}/metrics`)).text;

  before(async () => {
    // No worker at first: segments stay in the queue.
    stack = await TestStack.start({ workers: 0 });
    redis = createRedis(stack.redis.url, createLogger('alert-metrics-test', 'silent'));
    // A fail-fast client: commands before it has connected fail rather than wait.
    assert.ok(await redisReady(redis, 5000), 'connected to Redis');
    queue = new TranscriptionQueue(redis, new RedisKeys('stt'), { redisUrl: stack.redis.url, audioTtlSeconds: 60 });
    dir = mkdtempSync(join(tmpdir(), 'stt-alert-metrics-'));
  });
  after(async () => {
    await queue.close().catch(() => undefined);
    redis.disconnect();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('asr_batch_queue_depth: the segments waiting while no worker takes them, as health reads them; 0 once a worker has', async () => {
    assert.equal(sampleValue(await apiMetrics(), 'asr_batch_queue_depth'), 0);
    for (let index = 0; index < 3; index++) {
      await queue.submit({ model: 'en-us', transcriptionId: 'tr_alert_metrics', requestId: 'req_alert_metrics', index, offsetSeconds: index, diarize: false }, new Int16Array(16_000));
    }
    await waitFor('the API server to report 3 segments waiting', async () => (sampleValue(await apiMetrics(), 'asr_batch_queue_depth') === 3 ? true : undefined));
    assert.equal((await request(`${stack.apiUrl}/health/asr`)).json.queue_depth, 3, 'the reading /health shows');
    await stack.startWorker();
    await waitFor('the worker to take them', async () => (sampleValue(await apiMetrics(), 'asr_batch_queue_depth') === 0 ? true : undefined));
  });

  test('asr_stream_queue_depth: utterances wait for their finals during a fast stream, none once it is over; api_stream_latency_seconds: one observation per message', async () => {
    const before = await apiMetrics();
    assert.equal(sampleValue(before, 'api_stream_latency_seconds_count', { type: 'interim' }), 0);
    assert.equal(sampleValue(before, 'api_stream_latency_seconds_count', { type: 'final' }), 0);
    const speech = clipsWithPauses(dir, 3);
    let most = 0;
    let streaming = true;
    const watch = (async () => {
      while (streaming) {
        most = Math.max(most, sampleValue(await workerMetrics(), 'asr_stream_queue_depth') ?? 0);
        await delay(50);
      }
    })();
    const client = await StreamClient.open(`${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream`, auth());
    // As fast as it goes: utterances end faster than their second passes finish.
    await client.sendAudio(speech.pcm, { frameBytes: 3200 });
    client.send({ type: 'close_stream' });
    assert.equal((await client.closed).code, 1000);
    streaming = false;
    await watch;
    assert.ok(most >= 1, `an utterance was seen waiting for its final (at most ${most})`);
    assert.equal(sampleValue(await workerMetrics(), 'asr_stream_queue_depth'), 0, 'none waits once the last final is out');

    const finals = client.finals().length;
    const interims = client.messages.filter((message) => message.type === 'transcription' && message.is_final === false).length;
    assert.ok(finals >= 3 && interims > 0, `finals ${finals}, interims ${interims}`);
    const after = await apiMetrics();
    assert.equal(sampleValue(after, 'api_stream_latency_seconds_count', { type: 'final' }), finals);
    assert.equal(sampleValue(after, 'api_stream_latency_seconds_count', { type: 'interim' }), interims);
    assert.equal(sampleValue(after, 'api_stream_latency_seconds_bucket', { type: 'final', le: '+Inf' }), finals);
  });

  test('asr_batch_queue_depth is 0, not the last reading, while the queue cannot be read (Redis down)', async () => {
    // A worker that does not take it (stopped), so there is a reading other than 0 to lose.
    stack.workers[0]!.signal('SIGSTOP');
    try {
      await queue.submit({ model: 'en-us', transcriptionId: 'tr_alert_metrics_2', requestId: 'req_alert_metrics_2', index: 0, offsetSeconds: 0, diarize: false }, new Int16Array(16_000));
      await waitFor('the segment to wait', async () => (sampleValue(await apiMetrics(), 'asr_batch_queue_depth') === 1 ? true : undefined));
      await queue.close();
      await stack.redis.stop();
      await waitFor('health to lose its reading', async () => ((await request(`${stack.apiUrl}/health/asr`)).json.queue_depth === null ? true : undefined));
      assert.equal(sampleValue(await apiMetrics(), 'asr_batch_queue_depth'), 0);
    } finally {
      stack.workers[0]!.signal('SIGCONT');
    }
  });
});
