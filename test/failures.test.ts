import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { freePort } from './support/free-port.js';
import { HungServer } from './support/hung-server.js';
import { request, waitFor, waitForStatus } from './support/http.js';
import { FAST_TIMINGS, TestStack } from './support/test-stack.js';

const LIBRIVOX = '/usr/share/pocketsphinx/test/data/librivox';

/** The unhealthy reason /health gives once it is 503. */
async function reasonOnceUnhealthy(apiUrl: string, expected: string): Promise<string> {
  const result = await waitFor(`/health to say "${expected}"`, async () => {
    const answer = await request(`${apiUrl}/health`, { timeoutMs: 1000 });
    return answer.status === 503 && String(answer.json.reason).includes(expected) ? answer : undefined;
  });
  assert.equal(result.json.status, 'unhealthy');
  return result.json.reason as string;
}

describe('failures are reported truthfully and heal without restarts', () => {
  let stack: TestStack;
  before(async () => {
    stack = await TestStack.start({ workers: 2 });
    await stack.healthy();
  });
  after(() => stack.stop());

  test('workers killed with SIGKILL: 503 "No ASR workers available" once the heartbeats expire, 200 when one starts', async () => {
    const [first, second] = stack.workers;
    await first!.kill();
    // One worker left: still healthy.
    await waitFor('one live worker', async () => {
      const { json } = await request(`${stack.apiUrl}/health?detailed=true`);
      return json.details.lightning_asr.workers_live === 1 ? json : undefined;
    });
    assert.equal((await request(`${stack.apiUrl}/health`)).status, 200);
    await second!.kill();
    assert.equal(await reasonOnceUnhealthy(stack.apiUrl, 'No ASR workers available'), 'No ASR workers available');
    const asr = await request(`${stack.apiUrl}/health/asr`);
    assert.equal(asr.status, 503);
    assert.equal(asr.json.reason, 'No ASR workers available');
    assert.equal(asr.json.workers_live, 0);
    await stack.startWorker();
    await waitForStatus(`${stack.apiUrl}/health`, 200);
  });

  test('every worker hung (SIGSTOP): the same 503, healthy again after SIGCONT', async () => {
    await stack.startWorker();
    await waitFor('two live workers', async () => {
      const { json } = await request(`${stack.apiUrl}/health?detailed=true`);
      return json.details.lightning_asr.workers_ready === 2 ? json : undefined;
    });
    const live = stack.workers.filter((worker) => worker.running);
    for (const worker of live) worker.signal('SIGSTOP');
    try {
      assert.equal(await reasonOnceUnhealthy(stack.apiUrl, 'No ASR workers available'), 'No ASR workers available');
    } finally {
      for (const worker of live) worker.signal('SIGCONT');
    }
    await waitForStatus(`${stack.apiUrl}/health`, 200);
  });

  test('Redis stopped: 503 "Redis connection failed"; restarted: healthy with no restart of our services', async () => {
    const pids = [stack.api.pid, stack.proxy.pid, ...stack.workers.filter((w) => w.running).map((w) => w.pid)];
    await stack.redis.stop();
    const reason = await reasonOnceUnhealthy(stack.apiUrl, 'Redis connection failed');
    assert.equal(reason, 'Redis connection failed', 'one root cause, reported once');
    const redis = await request(`${stack.apiUrl}/health/redis`);
    assert.equal(redis.status, 503);
    assert.equal(redis.json.reason, 'Redis connection failed');
    await stack.redis.start();
    await waitForStatus(`${stack.apiUrl}/health`, 200);
    assert.deepEqual(
      [stack.api.pid, stack.proxy.pid, ...stack.workers.filter((w) => w.running).map((w) => w.pid)],
      pids,
    );
    assert.ok(stack.api.running && stack.proxy.running);
  });

  test('license proxy stopped: 503 "License proxy unavailable"; started again: healthy', async () => {
    const port = Number(new URL(stack.proxyUrl).port);
    await stack.proxy.kill();
    assert.equal(await reasonOnceUnhealthy(stack.apiUrl, 'License proxy unavailable'), 'License proxy unavailable');
    const license = await request(`${stack.apiUrl}/health/license`);
    assert.equal(license.status, 503);
    await stack.startProxy({}, port);
    await waitForStatus(`${stack.apiUrl}/health`, 200);
  });

  test('license proxy hung (SIGSTOP): health still answers within 1 s, with the proxy reason', async () => {
    stack.proxy.signal('SIGSTOP');
    try {
      const reason = await reasonOnceUnhealthy(stack.apiUrl, 'License proxy unavailable');
      assert.equal(reason, 'License proxy unavailable');
      for (let i = 0; i < 5; i++) {
        // The client's own 1 s timeout is the assertion: a health check that waited on the proxy would abort here.
        const answer = await request(`${stack.apiUrl}/health?detailed=true`, { timeoutMs: 1000 });
        assert.equal(answer.json.components.license_proxy, 'unhealthy');
      }
    } finally {
      stack.proxy.signal('SIGCONT');
    }
    await waitForStatus(`${stack.apiUrl}/health`, 200);
  });

  test('several failures at once are joined with "; "', async () => {
    const port = Number(new URL(stack.proxyUrl).port);
    await stack.proxy.kill();
    await stack.redis.stop();
    // Both probes notice within one interval; wait for the second before comparing the text.
    const reason = await reasonOnceUnhealthy(stack.apiUrl, 'License proxy unavailable; Redis connection failed');
    assert.equal(reason, 'License proxy unavailable; Redis connection failed');
    await stack.redis.start();
    await stack.startProxy({}, port);
    await waitForStatus(`${stack.apiUrl}/health`, 200);
  });
});

describe('a component that accepts connections but never replies', () => {
  let stack: TestStack;
  let hungRedis: HungServer;
  let hungProxy: HungServer;
  before(async () => {
    stack = await TestStack.start({ workers: 0, api: false });
    hungRedis = await HungServer.start();
    hungProxy = await HungServer.start();
  });
  after(async () => {
    await stack.stop();
    await hungRedis.stop();
    await hungProxy.stop();
  });

  test('health answers within 1 s, 503, naming both hung components', async () => {
    const api = stack.spawn('api-server', {
      ...FAST_TIMINGS,
      LICENSE_PUBLIC_KEYS: stack.publicKey,
      REDIS_URL: `redis://127.0.0.1:${hungRedis.port}`,
      API_BASE_URL: `http://127.0.0.1:${hungProxy.port}`,
      API_SERVER_PORT: String(await freePort()),
      API_SERVER_HOST: '127.0.0.1',
    });
    await api.waitForLog(/^API server listening on port/);
    const url = await listeningUrl(api);
    for (const path of ['/health', '/health?detailed=true', '/healthz', '/health/ready', '/health/redis', '/health/license', '/health/asr']) {
      const answer = await request(`${url}${path}`, { timeoutMs: 1000 });
      assert.equal(answer.status, 503, path);
    }
    const answer = await request(`${url}/health`, { timeoutMs: 1000 });
    assert.deepEqual(answer.json, { status: 'unhealthy', reason: 'License proxy unavailable; Redis connection failed' });
    assert.equal((await request(`${url}/health/live`, { timeoutMs: 1000 })).status, 200, 'liveness does not depend on components');
  });
});

describe('license states', () => {
  let stack: TestStack;
  before(async () => {
    stack = await TestStack.start({ workers: 1, api: false });
  });
  after(() => stack.stop());

  test('an expired license at the proxy: 503 "License invalid or expired", proxy 503 license_valid false', async () => {
    await stack.proxy.kill();
    const expired = stack.issueKey({ validDays: 1, now: new Date(Date.now() - 3 * 86_400_000) });
    await stack.startProxy({ LICENSE_KEY: expired });
    assert.ok(stack.proxy.logs.some((line) => line.level === 'error' && line.msg === 'License validation failed: License expired'));
    const proxy = await request(`${stack.proxyUrl}/health`);
    assert.equal(proxy.status, 503);
    assert.equal(proxy.json.license_valid, false);
    const live = await request(`${stack.proxyUrl}/health/live`);
    assert.equal(live.status, 200, 'liveness does not depend on the license: the proxy stays up to report it');
    assert.equal(live.json.status, 'alive');
    await stack.startApi();
    assert.equal(await reasonOnceUnhealthy(stack.apiUrl, 'License invalid or expired'), 'License invalid or expired');
    const work = await request(`${stack.apiUrl}/v1/listen`, {
      method: 'POST',
      body: Buffer.alloc(64),
      headers: { authorization: `Token ${stack.issueKey()}`, 'content-type': 'audio/wav' },
    });
    assert.equal(work.status, 503);
    assert.equal(work.json.code, 'LICENSE_UNAVAILABLE', 'work is refused while the installation license is unusable');
  });
});

describe('decoding never stalls the worker', () => {
  let stack: TestStack;
  let longClip: string;
  before(async () => {
    stack = await TestStack.start({ workers: 0, api: false });
    // All five LibriVox clips back to back (~25 s of speech): each decode takes seconds.
    const pcm = readdirSync(LIBRIVOX)
      .filter((name) => name.endsWith('.wav'))
      .map((name) => readFileSync(join(LIBRIVOX, name)).subarray(44));
    longClip = join(tmpdir(), `stt-long-${process.pid}.raw`);
    writeFileSync(longClip, Buffer.concat(pcm));
  });
  after(async () => {
    await stack.stop();
    rmSync(longClip, { force: true });
  });

  test('/health and heartbeats keep answering while the engine decodes', async () => {
    const worker = await stack.startWorker(
      { ASR_SELF_TEST_AUDIO: longClip, ASR_SELF_TEST_EXPECTED: 'not the words', ASR_SELF_TEST_INTERVAL_S: '1' },
      /^Model loaded successfully/,
    );
    const url = await listeningUrl(worker);
    // The warm-up decode of the long clip is running now; the worker must still answer.
    let answered = 0;
    for (;;) {
      const answer = await request(`${url}/health`, { timeoutMs: 1000 });
      assert.equal(answer.status, 503);
      if (answer.json.status !== 'loading') {
        assert.equal(answer.json.status, 'unhealthy', 'the long clip is not the expected words');
        break;
      }
      answered++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(answered >= 3, `health answered ${answered} times during the warm-up decode`);
    // Self-tests now run back to back; heartbeats must keep landing in Redis meanwhile.
    const redis = new Redis(stack.redis.url);
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const entry = await redis.get(`stt:asr:worker:${worker.logs[0]?.worker_id as string}`);
        if (entry) seen.add(JSON.parse(entry).heartbeat_at as string);
        assert.equal((await request(`${url}/health`, { timeoutMs: 1000 })).json.status, 'unhealthy');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.ok(seen.size >= 6, `${seen.size} distinct heartbeats in 3 s`);
    } finally {
      redis.disconnect();
    }
  });
});

/** The base URL a service listens on, from Fastify's own "Server listening at" line. */
async function listeningUrl(child: import('./support/service-process.js').ServiceProcess): Promise<string> {
  const line = await child.waitForLog(/^Server listening at http:\/\/127\.0\.0\.1:/);
  return (line.msg ?? '').replace('Server listening at ', '');
}
