import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiServerProbe } from '../packages/api-server/src/health/probes/api-server-probe.js';
import { RequestOutcomes } from '../packages/api-server/src/health/request-outcomes.js';
import { listenLocally, request, waitFor } from './support/http.js';
import type { ServiceProcess } from './support/service-process.js';
import { goforwardWav } from './support/speech-corpus.js';
import { StreamClient, StreamRefused } from './support/stream-client.js';
import { TestStack } from './support/test-stack.js';

const WINDOW_S = 15;

describe('api_server health tells the truth about recent requests (the seed\'s "health returns 200 but requests fail")', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-outcomes-'));
  let stack: TestStack;
  let worker: ServiceProcess;
  let speech: Buffer;
  let webhooks: Server;
  let webhookUrl: string;
  const auth = (): Record<string, string> => ({ authorization: `Token ${stack.licenseKey}` });
  const detailed = async (): Promise<{ status: number; overall: string; component: string; details: { requests: number; server_errors: number } }> => {
    const answer = await request(`${stack.apiUrl}/health?detailed=true`);
    return { status: answer.status, overall: answer.json.status, component: answer.json.components.api_server, details: answer.json.details.api_server };
  };
  const post = (body: Buffer, query = '') =>
    request(`${stack.apiUrl}/v1/listen${query}`, { method: 'POST', body, headers: { ...auth(), 'content-type': 'audio/wav' }, timeoutMs: 60_000 });
  /** The window holds nothing any more: what earlier tests did has left it. */
  const windowEmpties = () => waitFor('the outcome window to empty', async () => ((await detailed()).details.requests === 0 ? true : undefined), { timeoutMs: (WINDOW_S + 10) * 1000 });

  before(async () => {
    speech = readFileSync(goforwardWav(dir));
    webhooks = createServer((_req, res) => res.end());
    webhookUrl = `${await listenLocally(webhooks)}/hook`;
    stack = await TestStack.start({
      workers: 0,
      apiEnv: {
        HEALTH_ERROR_WINDOW_S: String(WINDOW_S),
        REQUEST_TIMEOUT_S: '1',
        CALLBACK_JOB_TIMEOUT_S: '1',
        CALLBACK_MAX_RETRIES: '0',
        URL_FETCH_ALLOWED_HOSTS: '127.0.0.1',
        RATE_LIMIT_REQUESTS_PER_MINUTE: '100000',
        RATE_LIMIT_CONCURRENT: '1000',
      },
    });
    // The registry believes in this worker for ten minutes whatever becomes of it: a worker that
    // is hung or dead while it still looks ready is exactly when health says 200 and requests fail.
    worker = await stack.startWorker({ ASR_HEARTBEAT_TTL_MS: '600000', ASR_STREAM_CAPACITY: '32' });
    await stack.healthy();
  });
  after(async () => {
    await stack.stop();
    webhooks.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('client errors alone never make it degraded, however many', async () => {
    const garbage = await Promise.all(Array.from({ length: 25 }, () => post(Buffer.from('not audio at all, just words'))));
    assert.deepEqual(new Set(garbage.map((answer) => answer.status)), new Set([415]));
    for (let i = 0; i < 5; i++) {
      await assert.rejects(StreamClient.open(`${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream?sample_rate=3`, auth()), (error) => error instanceof StreamRefused && error.status === 400);
    }
    const health = await waitFor('the 30 refusals to be counted', async () => {
      const current = await detailed();
      return current.details.requests >= 30 ? current : undefined;
    });
    assert.equal(health.component, 'healthy');
    assert.deepEqual(health.details, { window_s: WINDOW_S, requests: 30, server_errors: 0, server_error_rate: 0 });
  });

  test('sync requests failing server-side (504 behind a hung worker): degraded with the numbers, /health still 200; healthy again once they leave the window', async () => {
    await windowEmpties();
    worker.signal('SIGSTOP');
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(speech)));
    assert.deepEqual(new Set(answers.map((answer) => answer.json.code)), new Set(['REQUEST_TIMEOUT']));
    const health = await waitFor('api_server to turn degraded', async () => {
      const current = await detailed();
      return current.component === 'degraded' ? current : undefined;
    });
    assert.deepEqual(health.details, { window_s: WINDOW_S, requests: 20, server_errors: 20, server_error_rate: 1 });
    assert.equal(health.status, 200, 'degraded is not unhealthy: /health stays 200');
    assert.equal(health.overall, 'healthy');
    assert.equal((await request(`${stack.apiUrl}/health`)).status, 200);
    assert.ok(stack.api.logs.some((line) => line.msg === 'api_server degraded' && line.level === 'warn'), 'the change is logged');

    const recovered = await waitFor('api_server to be healthy again', async () => {
      const current = await detailed();
      return current.component === 'healthy' ? current : undefined;
    }, { timeoutMs: (WINDOW_S + 10) * 1000 });
    assert.ok(recovered.details.requests < 20, 'no new requests: healthy because the failures aged out');
  });

  test('callback jobs count when they end, not at their 202: failed ones (504) make it degraded', async () => {
    await windowEmpties();
    const accepted = await Promise.all(Array.from({ length: 20 }, () => post(speech, `?callback_url=${encodeURIComponent(webhookUrl)}`)));
    assert.deepEqual(new Set(accepted.map((answer) => answer.status)), new Set([202]));
    for (const { json } of accepted) {
      await waitFor(`job ${json.job_id} to fail`, async () => {
        const job = await request(`${stack.apiUrl}/v1/listen/${json.job_id}`, { headers: auth() });
        return job.json.status === 'failed' ? job : undefined;
      });
    }
    const health = await waitFor('api_server to turn degraded', async () => {
      const current = await detailed();
      return current.component === 'degraded' ? current : undefined;
    });
    assert.deepEqual(health.details, { window_s: WINDOW_S, requests: 20, server_errors: 20, server_error_rate: 1 }, 'each job once, at its end');
    assert.equal(health.status, 200);
    worker.signal('SIGCONT');
  });

  test('live streams whose worker dies (1011) make it degraded', async () => {
    await windowEmpties();
    const url = `${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream`;
    const clients = await Promise.all(Array.from({ length: 20 }, () => StreamClient.open(url, auth())));
    await Promise.all(clients.map((client) => client.waitFor((message) => message.type === 'session_started')));
    await worker.kill();
    const codes = await Promise.all(clients.map(async (client) => (await client.closed).code));
    assert.deepEqual(new Set(codes), new Set([1011]));
    assert.ok(clients.every((client) => client.messages.some((message) => message.type === 'error' && message.code === 'WORKER_LOST')));
    const health = await waitFor('api_server to turn degraded', async () => {
      const current = await detailed();
      return current.component === 'degraded' ? current : undefined;
    });
    assert.deepEqual(health.details, { window_s: WINDOW_S, requests: 20, server_errors: 20, server_error_rate: 1 });
    assert.equal(health.status, 200, 'the registry still lists the dead worker: only the requests tell');
  });
});

describe('the outcome window and its verdict', () => {
  const at = { ms: 1_000_000_000 };
  const outcomes = new RequestOutcomes(300, () => at.ms);
  const probe = new ApiServerProbe(outcomes, { minRequests: 20, maxServerErrorRate: 0.1 });
  const record = (count: number, status: number): void => {
    for (let i = 0; i < count; i++) outcomes.record(status);
  };

  test('fewer than the minimum requests are not judged, however many failed', async () => {
    record(19, 503);
    assert.equal((await probe.run()).status, 'healthy');
    record(1, 503);
    assert.deepEqual(await probe.run(), { status: 'degraded', details: { window_s: 300, requests: 20, server_errors: 20, server_error_rate: 1 } });
  });

  test('successes and client errors dilute the failures: exactly 10 % is not above 10 %', async () => {
    at.ms += 1000;
    record(100, 200);
    record(60, 400);
    record(20, 429);
    assert.deepEqual(await probe.run(), { status: 'healthy', details: { window_s: 300, requests: 200, server_errors: 20, server_error_rate: 0.1 } });
    record(1, 500);
    assert.equal((await probe.run()).status, 'degraded');
  });

  test('outcomes leave the window after window_s seconds, bucket by bucket', async () => {
    at.ms += 298_000; // the first second's 20 failures are 299 s old: still in
    assert.equal(outcomes.counts().requests, 201);
    at.ms += 1000; // now 300 s old: out
    assert.deepEqual(outcomes.counts(), { requests: 181, serverErrors: 1 });
    at.ms += 300_000;
    assert.deepEqual(outcomes.counts(), { requests: 0, serverErrors: 0 });
    record(1, 200);
    assert.deepEqual(outcomes.counts(), { requests: 1, serverErrors: 0 }, 'a reused bucket starts from zero');
  });

  test('a stream counts as failed server-side for 1011 and 1013, but not for idleness or the client\'s own doing', () => {
    const fresh = new RequestOutcomes(10, () => at.ms);
    for (const end of [{ closeCode: 1011, errorCode: 'WORKER_LOST' }, { closeCode: 1011 }, { closeCode: 1013, errorCode: 'SERVICE_UNAVAILABLE' }, { closeCode: 1008, errorCode: 'LICENSE_UNAVAILABLE' }]) {
      fresh.recordStreamEnd(end);
    }
    for (const end of [{}, { closeCode: 1000 }, { closeCode: 1001 }, { closeCode: 1011, errorCode: 'IDLE_TIMEOUT' }, { closeCode: 1008, errorCode: 'RATE_LIMIT_EXCEEDED' }, { closeCode: 1009, errorCode: 'FRAME_TOO_LARGE' }]) {
      fresh.recordStreamEnd(end);
    }
    assert.deepEqual(fresh.counts(), { requests: 10, serverErrors: 4 });
  });
});
