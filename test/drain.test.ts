import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { request, waitFor } from './support/http.js';
import { StreamClient } from './support/stream-client.js';
import { TestStack } from './support/test-stack.js';

const DRAIN_BEGINS = 'Draining: refusing new work, finishing requests in flight';

describe('draining on SIGTERM', () => {
  let stack: TestStack;
  before(async () => {
    stack = await TestStack.start({ workers: 2, apiEnv: { DRAIN_DELAY_S: '5' } });
    await stack.healthy();
  });
  after(() => stack.stop());

  test('a worker deregisters at once on SIGTERM (not after its heartbeat expires) and exits 0', async () => {
    const worker = stack.workers[0]!;
    const id = worker.logs[0]?.worker_id as string;
    const redis = new Redis(stack.redis.url);
    try {
      assert.ok(await redis.get(`stt:asr:worker:${id}`));
      worker.signal('SIGTERM');
      assert.deepEqual(await worker.exited(), { code: 0, signal: null });
      assert.equal(await redis.get(`stt:asr:worker:${id}`), null);
      assert.equal(await redis.sismember('stt:asr:workers', id), 0);
      assert.ok(worker.logs.some((line) => line.msg === 'Deregistered from Redis'));
    } finally {
      redis.disconnect();
    }
    const { json } = await request(`${stack.apiUrl}/health?detailed=true`);
    assert.equal(json.status, 'healthy', 'the other worker still serves');
  });

  test('the API server turns unhealthy "Server is shutting down" but serves work for DRAIN_DELAY_S, then refuses new work, stays live, and exits 0', async () => {
    const auth = { authorization: `Token ${stack.licenseKey}` };
    stack.api.signal('SIGTERM');
    const health = await waitFor('health to report draining', async () => {
      const answer = await request(`${stack.apiUrl}/health`);
      return answer.status === 503 ? answer : undefined;
    });
    assert.deepEqual(health.json, { status: 'unhealthy', reason: 'Server is shutting down' });
    const ready = await request(`${stack.apiUrl}/health/ready`);
    assert.equal(ready.status, 503);
    assert.equal(ready.json.reason, 'Server is shutting down');
    const healthz = await request(`${stack.apiUrl}/healthz`);
    assert.equal(healthz.status, 503);
    assert.equal(healthz.json.ready, false);
    const detailed = await request(`${stack.apiUrl}/health?detailed=true`);
    assert.equal(detailed.json.components.api_server, 'unhealthy');

    // The delay: load balancers see the 503 and stop routing here, and what they still send is served.
    assert.equal((await request(`${stack.apiUrl}/metrics`, { headers: auth })).status, 200, 'work is still served during the delay');
    const stream = await StreamClient.open(`${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream`, auth);
    assert.ok(!stack.api.logs.some((line) => line.msg === DRAIN_BEGINS), 'both were answered before the drain began');

    await stack.api.waitForLog(DRAIN_BEGINS);
    assert.equal((await request(`${stack.apiUrl}/health/live`)).status, 200, 'liveness stays up while draining');
    const work = await request(`${stack.apiUrl}/metrics`, { headers: auth });
    assert.equal(work.status, 503);
    assert.equal(work.json.code, 'SERVICE_UNAVAILABLE');
    assert.equal(work.json.retry_after, 5);
    assert.equal(work.headers.get('retry-after'), '5');
    stream.send({ type: 'close_stream' });
    assert.equal((await stream.closed).code, 1000, 'the stream opened during the delay ends normally');
    assert.deepEqual(await stack.api.exited(), { code: 0, signal: null });
    assert.ok(stack.api.logs.some((line) => line.msg === 'API server stopped'));
  });
});
