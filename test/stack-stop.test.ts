import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RedisServerProcess } from '@stt/stack';
import { freePort } from './support/free-port.js';
import { waitForStatus } from './support/http.js';
import { EVERY_SERVICE_STOPPED_CLEANLY, LaunchedStack } from './support/launched-stack.js';
import type { Env } from './support/test-stack.js';

/** The ways a stack started from a terminal ends, and what each leaves behind: nothing. */
describe('however the stack ends, nothing is left running', () => {
  const dirs: string[] = [];
  const stacks: LaunchedStack[] = [];
  const redisServers: RedisServerProcess[] = [];
  const start = async (extra: Env = {}): Promise<LaunchedStack> => {
    const dir = mkdtempSync(join(tmpdir(), 'stt-stack-stop-'));
    dirs.push(dir);
    const stack = await LaunchedStack.start(await LaunchedStack.env(dir, extra));
    stacks.push(stack);
    return stack;
  };
  after(async () => {
    for (const stack of stacks) await stack.process.kill();
    for (const redis of redisServers) await redis.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('a second Ctrl-C stops at once, and still leaves nothing running', async () => {
    // A long drain delay holds the API server, so the first Ctrl-C is still stopping it.
    const stack = await start({ DRAIN_DELAY_S: '60' });
    const pids = stack.childPids;
    assert.equal(pids.length, 5, 'API server, two workers, proxy and Redis');
    stack.process.signalGroup('SIGINT');
    await stack.process.waitForLog(/^Shutting down: health answers 503 for 60 s/);
    stack.process.signalGroup('SIGINT');
    assert.deepEqual(await stack.process.exited(), { code: 1, signal: null });
    await stack.waitUntilNothingLeft(pids);
    assert.ok(!stack.process.logs.some((line) => line.msg === 'API server stopped'), 'the API server was not waited for');
  });

  test('SIGKILL of the supervisor: every service and Redis exit on their own and free their ports', async () => {
    const stack = await start();
    const pids = stack.childPids;
    assert.equal(pids.length, 5, 'API server, two workers, proxy and Redis');
    stack.process.signal('SIGKILL');
    await stack.process.exited();
    await stack.waitUntilNothingLeft(pids);
  });

  test('its terminal closed (output gone, SIGHUP): every service and Redis exit on their own, none hangs writing its last lines', async () => {
    const stack = await start();
    const pids = stack.childPids;
    assert.equal(pids.length, 5, 'API server, two workers, proxy and Redis');
    stack.process.signalGroup('SIGHUP');
    await stack.process.exited();
    // The terminal goes while the services are still writing their last lines.
    stack.process.closeOutput();
    await stack.waitUntilNothingLeft(pids);
  });

  test('Ctrl-C while its Redis is down: every service still stops on its own, none is killed', async (t) => {
    const redis = new RedisServerProcess({ port: await freePort(), dir: mkdtempSync(join(tmpdir(), 'stt-redis-')) });
    redisServers.push(redis);
    await redis.start();
    const stack = await start({ REDIS_URL: redis.url, STACK_STOP_TIMEOUT_S: '20' });
    await redis.stop();
    await waitForStatus(`${stack.apiUrl}/health`, 503);
    const startedAt = Date.now();
    stack.process.signalGroup('SIGINT');
    assert.deepEqual(await stack.process.exited(), { code: 0, signal: null });
    t.diagnostic(`the stack stopped ${Date.now() - startedAt} ms after Ctrl-C, Redis down`);
    assert.deepEqual(stack.kills, [], 'no service had to be killed');
    assert.deepEqual(stack.stops, EVERY_SERVICE_STOPPED_CLEANLY);
  });
});
