import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request, waitFor } from './support/http.js';
import { TestStack } from './support/test-stack.js';

/** The Accept headers real Prometheus servers send (2.x, then 3.x). */
const PROMETHEUS_2_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_3_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
const PROMETHEUS_TEXT_ONLY_ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

describe('health of a whole healthy stack', () => {
  let stack: TestStack;
  before(async () => {
    stack = await TestStack.start({ workers: 2 });
    await stack.healthy();
  });
  after(() => stack.stop());

  test('GET /health is 200 {"status":"healthy"} (the seed page, word for word)', async () => {
    const result = await request(`${stack.apiUrl}/health`);
    assert.equal(result.status, 200);
    assert.deepEqual(result.json, { status: 'healthy' });
    assert.match(result.headers.get('content-type') ?? '', /^application\/json/);
  });

  test('HEAD works on every health route, with the status of its GET and no body', async () => {
    for (const path of ['/health', '/api/v1/health', '/healthz', '/health/live', '/health/ready', '/health/asr', '/health/license', '/health/redis']) {
      const result = await request(`${stack.apiUrl}${path}`, { method: 'HEAD' });
      assert.equal(result.status, 200, path);
      assert.equal(result.text, '', path);
    }
  });

  test('?detailed=true lists every component, uptime, version and the numbers behind them', async () => {
    const { status, json } = await request(`${stack.apiUrl}/health?detailed=true`);
    assert.equal(status, 200);
    assert.equal(json.status, 'healthy');
    assert.deepEqual(json.components, {
      api_server: 'healthy',
      lightning_asr: 'healthy',
      license_proxy: 'healthy',
      redis: 'healthy',
    });
    assert.equal(typeof json.uptime_seconds, 'number');
    assert.match(json.version, /^\d+\.\d+\.\d+/);
    assert.equal(json.details.lightning_asr.workers_live, 2);
    assert.equal(json.details.lightning_asr.workers_ready, 2);
    assert.equal(json.details.lightning_asr.capacity, 2);
    assert.equal(json.details.lightning_asr.queue_depth, 0);
    assert.equal(json.details.license_proxy.license_valid, true);
    assert.equal(json.details.license_proxy.grace_period_active, false);
    assert.ok(Date.parse(json.details.license_proxy.valid_until) > Date.now());
    assert.equal(typeof json.details.redis.latency_ms, 'number');
    assert.doesNotMatch(JSON.stringify(json), new RegExp(stack.licenseKey.slice(5, 40)), 'no secrets in the body');
  });

  test('component routes answer for one component each', async () => {
    const asr = await request(`${stack.apiUrl}/health/asr`);
    assert.equal(asr.status, 200);
    assert.equal(asr.json.status, 'healthy');
    assert.equal(asr.json.workers_ready, 2);
    const license = await request(`${stack.apiUrl}/health/license`);
    assert.equal(license.status, 200);
    assert.deepEqual(
      { status: license.json.status, license_valid: license.json.license_valid, grace: license.json.grace_period_active },
      { status: 'healthy', license_valid: true, grace: false },
    );
    const redis = await request(`${stack.apiUrl}/health/redis`);
    assert.equal(redis.status, 200);
    assert.equal(redis.json.status, 'healthy');
  });

  test('/api/v1/health, /healthz, /health/live and /health/ready answer as the contract says', async () => {
    assert.deepEqual((await request(`${stack.apiUrl}/api/v1/health`)).json, { status: 'healthy' });
    const healthz = await request(`${stack.apiUrl}/healthz`);
    assert.equal(healthz.status, 200);
    assert.deepEqual(healthz.json, { status: 'healthy', ready: true });
    assert.ok(healthz.text.includes('true'), 'the Helm readiness probe looks for "true" in the body');
    const live = await request(`${stack.apiUrl}/health/live`);
    assert.equal(live.status, 200);
    assert.equal(live.json.status, 'alive');
    assert.deepEqual((await request(`${stack.apiUrl}/health/ready`)).json, { status: 'healthy' });
  });

  test('Prometheus scraping /health gets the exposition format, whichever version asks', async () => {
    for (const accept of [PROMETHEUS_2_ACCEPT, PROMETHEUS_3_ACCEPT]) {
      const result = await request(`${stack.apiUrl}/health`, { headers: { accept } });
      assert.equal(result.status, 200);
      assert.match(result.headers.get('content-type') ?? '', /^application\/openmetrics-text/);
      assert.match(result.text, /^health_up 1$/m);
      assert.match(result.text, /^# EOF$/m);
    }
    const text = await request(`${stack.apiUrl}/health`, { headers: { accept: PROMETHEUS_TEXT_ONLY_ACCEPT } });
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(text.text, /^health_up 1$/m);
    for (const component of ['api_server', 'lightning_asr', 'license_proxy', 'redis']) {
      assert.match(text.text, new RegExp(`^health_component_up\\{component="${component}"\\} 1$`, 'm'));
    }
    assert.match(text.text, /^health_uptime_seconds \d+$/m);
    const query = await request(`${stack.apiUrl}/health?format=prometheus`);
    assert.match(query.text, /^health_up 1$/m);
  });

  test('curl, browsers and JSON clients still get JSON', async () => {
    for (const accept of ['*/*', 'application/json', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8']) {
      const result = await request(`${stack.apiUrl}/health`, { headers: { accept } });
      assert.deepEqual(result.json, { status: 'healthy' }, accept);
    }
  });

  test('the seed page recipes: curl -f, uptime keyword, probe timeouts', async () => {
    // Docker's `curl -f` and the CI loop need a 2xx; the uptime monitor looks for "healthy";
    // the readiness probe allows 3 s, the load balancer 5 s.
    const result = await request(`${stack.apiUrl}/health`, { timeoutMs: 3000 });
    assert.ok(result.status >= 200 && result.status < 300);
    assert.ok(result.text.includes('healthy'));
  });

  test('X-Request-ID is kept when well-formed, replaced otherwise, and echoed', async () => {
    const kept = await request(`${stack.apiUrl}/health`, { headers: { 'x-request-id': 'debug-123' } });
    assert.equal(kept.headers.get('x-request-id'), 'debug-123');
    const replaced = await request(`${stack.apiUrl}/health`, { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^req_[A-Za-z0-9_-]+$/);
    const tooLong = await request(`${stack.apiUrl}/health`, { headers: { 'x-request-id': 'a'.repeat(129) } });
    assert.match(tooLong.headers.get('x-request-id') ?? '', /^req_/);
  });

  test('every health answer says Cache-Control: no-store, and each is counted in /metrics by route and status', async () => {
    const counted = async (): Promise<number> => {
      const metrics = await request(`${stack.apiUrl}/metrics`, { headers: { authorization: `Token ${stack.licenseKey}` } });
      return Number(/^api_http_requests_total\{method="GET",route="\/health\/live",status="200"\} (\d+)$/m.exec(metrics.text)?.[1]);
    };
    for (const path of ['/health', '/api/v1/health', '/healthz', '/health/live', '/health/ready', '/health/asr', '/health/license', '/health/redis', '/health?detailed=true', '/health?format=prometheus']) {
      assert.equal((await request(`${stack.apiUrl}${path}`)).headers.get('cache-control'), 'no-store', path);
    }
    const before = await counted();
    for (let i = 0; i < 3; i++) await request(`${stack.apiUrl}/health/live`);
    assert.equal(await counted(), before + 3);
  });

  test('each worker serves /health and /metrics as the contract says', async () => {
    const { json } = await request(`${stack.apiUrl}/health?detailed=true`);
    assert.equal(json.details.lightning_asr.workers_ready, 2);
    for (const worker of stack.workers) {
      const port = worker.logs.find((line) => typeof line.msg === 'string' && line.msg.startsWith('Server ready on port'))?.msg?.split(' ').pop();
      const health = await request(`http://127.0.0.1:${port}/health`);
      assert.equal(health.status, 200);
      // The contract's fields, and what the engine can do (how the API server routes to it).
      assert.deepEqual(health.json, {
        status: 'ready',
        engine: 'pocketsphinx',
        model: 'en-us',
        gpu: null,
        active_requests: 0,
        capacity: 1,
        languages: ['en'],
        streaming: 'native',
        word_timestamps: true,
      });
      const metrics = await request(`http://127.0.0.1:${port}/metrics`);
      for (const name of ['asr_active_requests', 'asr_active_streams', 'asr_stream_queue_depth', 'asr_total_requests', 'asr_audio_seconds_total', 'asr_request_duration_seconds', 'asr_real_time_factor']) {
        assert.match(metrics.text, new RegExp(`^# TYPE ${name} `, 'm'), name);
      }
    }
  });

  test('workers log the documented start-up lines, with a self-test of real speech', async () => {
    for (const worker of stack.workers) {
      const messages = worker.logs.map((line) => line.msg);
      assert.ok(messages.includes('Starting Lightning ASR v0.1.0'));
      assert.ok(messages.includes('Model loaded successfully'));
      assert.ok(messages.includes('Self-test passed'));
      assert.ok(messages.some((msg) => /^Warmup completed in \d+\.\ds$/.test(msg ?? '')));
      assert.ok(messages.some((msg) => /^Server ready on port \d+$/.test(msg ?? '')));
    }
    const apiMessages = stack.api.logs.map((line) => line.msg);
    assert.ok(apiMessages.includes('Starting API Server v0.1.0'));
    assert.ok(apiMessages.some((msg) => /^Connecting to License Proxy at http/.test(msg ?? '')));
    assert.ok(apiMessages.includes('Connected to Lightning ASR (2 replicas)'));
    assert.ok(apiMessages.includes('License validated'));
    assert.ok(apiMessages.some((msg) => /^API server listening on port \d+$/.test(msg ?? '')));
    const proxyMessages = stack.proxy.logs.map((line) => line.msg);
    for (const line of ['Starting License Proxy v0.1.0', 'License key loaded', 'License validated successfully']) {
      assert.ok(proxyMessages.includes(line), line);
    }
    assert.ok(proxyMessages.some((msg) => /^License valid until: \d{4}-/.test(msg ?? '')));
  });

  test('the license proxy serves /health and /metrics', async () => {
    const health = await request(`${stack.proxyUrl}/health`);
    assert.equal(health.status, 200);
    assert.equal(health.json.status, 'healthy');
    assert.equal(health.json.license_valid, true);
    assert.equal(health.json.grace_period_active, false);
    const metrics = await request(`${stack.proxyUrl}/metrics`);
    assert.match(metrics.text, /^license_proxy_license_valid 1$/m);
    assert.match(metrics.text, /^license_proxy_grace_period_active 0$/m);
  });

  test('a worker failing its self-test makes ASR degraded while another is ready, and is not counted as ready', async () => {
    const failing = await stack.startWorker({ ASR_SELF_TEST_EXPECTED: 'this is not what the clip says' }, /^Not ready: the self-test failed/);
    try {
      const { status, json } = await waitFor('ASR degraded', async () => {
        const result = await request(`${stack.apiUrl}/health?detailed=true`);
        return result.json.components.lightning_asr === 'degraded' ? result : undefined;
      });
      assert.equal(status, 200, 'degraded is still serving');
      assert.equal(json.status, 'healthy');
      assert.equal(json.details.lightning_asr.workers_live, 3);
      assert.equal(json.details.lightning_asr.workers_ready, 2);
      assert.equal(json.details.lightning_asr.workers_failing_self_test, 1);
      assert.ok(failing.logs.some((line) => line.level === 'error' && /^Self-test decoded "go forward ten meters"/.test(line.msg ?? '')));
      const url = stack.workerUrl(failing);
      assert.equal((await request(`${url}/health`)).json.status, 'unhealthy');
      const live = await request(`${url}/health/live`);
      assert.equal(live.status, 200, 'liveness does not depend on the self-test: a restart would not make the clip decode');
      assert.equal(live.json.status, 'alive');
    } finally {
      await failing.kill();
    }
  });
});
