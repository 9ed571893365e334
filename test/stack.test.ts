import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, freePortRange } from './support/free-port.js';
import { request, waitFor, waitForStatus } from './support/http.js';
import { ServiceProcess } from './support/service-process.js';
import { FAST_TIMINGS } from './support/test-stack.js';

/** The README's first command without its setup step: the launcher with embedded defaults. */
describe('the whole stack from one command', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stt-stack-'));
  let env: Record<string, string>;
  let apiUrl: string;
  let stack: ServiceProcess;

  before(async () => {
    const asrPort = await freePortRange(2);
    const apiPort = await freePort();
    env = {
      ...FAST_TIMINGS,
      STACK_DATA_DIR: dataDir,
      API_SERVER_PORT: String(apiPort),
      ASR_PORT: String(asrPort),
      LICENSE_PROXY_PORT: String(await freePort()),
      REDIS_PORT: String(await freePort()),
    };
    apiUrl = `http://127.0.0.1:${apiPort}`;
    stack = new ServiceProcess('stack', env);
    await waitForStatus(`${apiUrl}/health`, 200, 60_000);
    // Healthy needs one ready worker; the second may still be loading.
    await waitFor('both workers ready', async () => {
      const asr = await request(`${apiUrl}/health/asr`);
      return asr.json.workers_ready === 2 ? asr : undefined;
    });
  });
  after(async () => {
    await stack.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('starts Redis, the proxy, two self-tested workers and the API server, healthy', async () => {
    const { json } = await request(`${apiUrl}/health?detailed=true`);
    assert.equal(json.status, 'healthy');
    assert.equal(json.details.lightning_asr.workers_ready, 2);
  });

  test('creates a local license, prints it, keeps it in the data directory, and it works', async () => {
    const file = join(dataDir, 'license.key');
    assert.ok(existsSync(file));
    const licenseKey = readFileSync(file, 'utf8').trim();
    assert.ok(stack.logs.some((line) => line.msg === licenseKey), 'the key is printed');
    const result = await request(`${apiUrl}/metrics`, { headers: { authorization: `Token ${licenseKey}` } });
    assert.equal(result.status, 200);
  });

  test('a crashed worker is restarted with backoff, the restart is logged, and health recovers', async () => {
    const { json } = await request(`${apiUrl}/health/asr`);
    assert.equal(json.workers_ready, 2);
    const before = stack.logs.length;
    const workerLine = stack.logs.find((line) => line.service === 'lightning-asr' && line.msg === `Server ready on port ${env.ASR_PORT}`);
    assert.ok(workerLine, 'worker 1 logged its ready line');
    process.kill(workerLine.pid as number, 'SIGKILL');
    await stack.waitForLog(/^lightning-asr-1 exited; restarting in \d+ ms$/);
    await waitFor('the restarted worker', async () => {
      const restarted = stack.logs.slice(before).find((line) => line.service === 'lightning-asr' && line.msg === `Server ready on port ${env.ASR_PORT}`);
      return restarted && restarted.pid !== workerLine.pid ? restarted : undefined;
    }, { timeoutMs: 30_000 });
    await waitFor('two ready workers again', async () => {
      const asr = await request(`${apiUrl}/health/asr`);
      return asr.json.workers_ready === 2 ? asr : undefined;
    });
  });

  test('Ctrl-C stops everything cleanly, in order, and exits 0', async () => {
    stack.signal('SIGINT');
    assert.deepEqual(await stack.exited(), { code: 0, signal: null });
    const messages = stack.logs.map((line) => `${String(line.service)}: ${String(line.msg)}`);
    const apiStopped = messages.indexOf('api-server: API server stopped');
    const workerGone = messages.findIndex((msg) => msg === 'lightning-asr: Deregistered from Redis');
    assert.ok(apiStopped >= 0 && workerGone > apiStopped, 'API server first, then the workers');
    assert.ok(messages.includes('stack: Stack stopped'));
    await assert.rejects(request(`${apiUrl}/health`, { timeoutMs: 1000 }), 'nothing listens any more');
    assert.equal(await connectionRefused(Number(env.REDIS_PORT)), true, 'the embedded Redis is gone too');
  });

  test('a second start reuses the same license', async () => {
    const again = new ServiceProcess('stack', env);
    try {
      await again.waitForLog('Using the local license', 30_000);
      const licenseKey = readFileSync(join(dataDir, 'license.key'), 'utf8').trim();
      await again.waitForLog(licenseKey);
      await waitForStatus(`${apiUrl}/health`, 200, 60_000);
    } finally {
      again.signal('SIGINT');
      assert.deepEqual(await again.exited(), { code: 0, signal: null });
    }
  });
});

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
