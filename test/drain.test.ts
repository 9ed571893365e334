import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { request, waitFor } from './support/http.js';
import { TestStack } from './support/test-stack.js';

describe('draining on SIGTERM', () => {
  let stack: TestStack;
  before(async () => {
    stack = await TestStack.start({ workers: 2, apiEnv: { DRAIN_DELAY_S: '3' } });
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

  test('the API server turns unhealthy "Server is shutting down", refuses new work, stays live, then exits 0', async () => {
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
    assert.equal((await request(`${stack.apiUrl}/health/live`)).status, 200, 'liveness stays up while draining');
    const work = await request(`${stack.apiUrl}/metrics`, { headers: { authorization: `Token ${stack.licenseKey}` } });
    assert.equal(work.status, 503);
    assert.equal(work.json.code, 'SERVICE_UNAVAILABLE');
    assert.equal(work.json.retry_after, 5);
    assert.equal(work.headers.get('retry-after'), '5');
    assert.deepEqual(await stack.api.exited(), { code: 0, signal: null });
    assert.ok(stack.api.logs.some((line) => line.msg === 'API server stopped'));
  });
});
