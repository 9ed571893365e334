import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisKeys } from '@stt/shared';
import { RedisServerProcess } from '@stt/stack';
import { request, waitFor, waitForStatus } from './support/http.js';
import { EVERY_SERVICE_STOPPED_CLEANLY, LaunchedStack } from './support/launched-stack.js';
import { ServiceProcess } from './support/service-process.js';

/** The README's first command without its setup step: the launcher with embedded defaults. */
describe('the whole stack from one command', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stt-stack-'));
  let env: Record<string, string>;
  let apiUrl: string;
  let launched: LaunchedStack;
  let stack: ServiceProcess;

  before(async () => {
    env = await LaunchedStack.env(dataDir);
    launched = await LaunchedStack.start(env);
    stack = launched.process;
    apiUrl = launched.apiUrl;
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

  test('the embedded Redis keeps its data when it is killed and the supervisor restarts it', async () => {
    const redis = new Redis(`redis://127.0.0.1:${env.REDIS_PORT}`, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined); // refused while Redis restarts
    try {
      await redis.set('stack-test:kept', 'across a restart');
      // Redis writes the append-only file before it replies; the fsync follows within a second.
      await waitFor('the write in the append-only file', async () => (appendOnlyFileText(dataDir).includes('stack-test:kept') ? true : undefined));
      const ready = stack.logs.find((line) => typeof line.redis_pid === 'number');
      assert.ok(ready, 'the launcher logged the pid of its Redis');
      process.kill(ready.redis_pid as number, 'SIGKILL');
      await stack.waitForLog('Embedded Redis restarted', 20_000);
      assert.equal(await waitFor('Redis back', () => redis.get('stack-test:kept')), 'across a restart');
    } finally {
      redis.disconnect();
    }
    await launched.ready();
  });

  test('Ctrl-C to its process group stops it in order, every worker deregistered, nothing left, exit 0', async (t) => {
    const pids = launched.childPids;
    const startedAt = Date.now();
    stack.signalGroup('SIGINT');
    assert.deepEqual(await stack.exited(), { code: 0, signal: null });
    t.diagnostic(`the stack stopped ${Date.now() - startedAt} ms after Ctrl-C`);

    const messages = launched.supervisorMessages;
    const at = (msg: string): number => {
      const index = messages.indexOf(msg);
      assert.ok(index >= 0, `the launcher logged "${msg}"; it logged: ${messages.join(' | ')}`);
      return index;
    };
    const workers = [at('lightning-asr-1 stopped'), at('lightning-asr-2 stopped')];
    assert.ok(at('api-server stopped') < Math.min(...workers), 'the API server first');
    assert.ok(Math.max(...workers) < at('license-proxy stopped'), 'then the workers, then the proxy');
    assert.ok(at('license-proxy stopped') < at('Embedded Redis stopped'), 'Redis last');
    at('Stack stopped');
    assert.deepEqual(launched.kills, [], 'no service had to be killed');
    assert.deepEqual(launched.stops, EVERY_SERVICE_STOPPED_CLEANLY);

    await launched.waitUntilNothingLeft(pids);
    // The registry lives in the embedded Redis, which keeps its data: read it where the stack left it.
    const redis = new RedisServerProcess({ port: Number(env.REDIS_PORT), dir: join(dataDir, 'redis'), appendOnly: true });
    await redis.start();
    const client = new Redis(redis.url);
    try {
      assert.deepEqual(await client.smembers(new RedisKeys().workerIndex), [], 'every worker deregistered itself');
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });

  test('a second start reuses the same license', async () => {
    const again = new ServiceProcess('stack', env, [], { detached: true });
    try {
      await again.waitForLog('Using the local license', 30_000);
      const licenseKey = readFileSync(join(dataDir, 'license.key'), 'utf8').trim();
      await again.waitForLog(licenseKey);
      await waitForStatus(`${apiUrl}/health`, 200, 60_000);
    } finally {
      again.signalGroup('SIGINT');
      assert.deepEqual(await again.exited(), { code: 0, signal: null });
    }
  });
});

/** The incremental part of the embedded Redis's append-only file, as text. */
function appendOnlyFileText(dataDir: string): string {
  const dir = join(dataDir, 'redis', 'appendonlydir');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((name) => name.endsWith('.incr.aof'))
    .map((name) => readFileSync(join(dir, name), 'latin1'))
    .join('');
}
