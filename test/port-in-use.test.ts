import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSigningKeyPair, issueLicenseKey } from '@stt/license-proxy';
import { RedisServerProcess, type ServiceName } from '@stt/stack';
import { freePort, nothingListensOn } from './support/free-port.js';
import { waitFor } from './support/http.js';
import { LaunchedStack } from './support/launched-stack.js';
import { ServiceProcess } from './support/service-process.js';

const IN_USE = 'is already in use (another process listens on it)';

/** Another process's listener on `port`, as a forgotten stack or an unrelated server would hold it. */
function holdPort(port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function waitForExit(process: ServiceProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  await waitFor(`${process.service} to exit`, async () => (process.running ? undefined : true), { timeoutMs: 30_000 });
  return process.exited();
}

describe('a port already in use stops the stack with one line naming it', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stt-port-in-use-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const CLAIMS: [variable: string, port: (env: Record<string, string>) => number, detail: string][] = [
    ['REDIS_PORT', (env) => Number(env.REDIS_PORT), ''],
    ['LICENSE_PROXY_PORT', (env) => Number(env.LICENSE_PROXY_PORT), ''],
    ['ASR_PORT', (env) => Number(env.ASR_PORT) + 1, ' (worker 2, ASR_PORT+1)'],
    ['API_SERVER_PORT', (env) => Number(env.API_SERVER_PORT), ''],
  ];
  for (const [variable, portOf, detail] of CLAIMS) {
    test(`${variable}: checked before anything starts`, async () => {
      const env = await LaunchedStack.env(dataDir);
      const port = portOf(env);
      const holder = await holdPort(port);
      const stack = await LaunchedStack.start(env, { ready: false });
      try {
        assert.deepEqual(await waitForExit(stack.process), { code: 78, signal: null });
        assert.deepEqual(stack.process.stderr, [`stack: invalid configuration: ${variable}: port ${port}${detail} ${IN_USE}`]);
        assert.deepEqual(stack.childPids, [], 'nothing was started');
        for (const other of stack.ports.filter((p) => p !== port)) assert.ok(await nothingListensOn(other), `port ${other} is free`);
      } finally {
        await stack.process.kill();
        holder.close();
      }
    });
  }

  test('a port taken where the check does not look: the service exits 78 and the stack stops, nothing left', async (t) => {
    const env = await LaunchedStack.env(dataDir, { API_SERVER_HOST: '::1' });
    const port = Number(env.API_SERVER_PORT);
    // The launcher checks loopback IPv4; an API server told to listen on IPv6 loopback collides only there.
    const holder = await holdPort(port, '::1').catch(() => undefined);
    if (holder === undefined) return t.skip('no IPv6 loopback on this machine');
    const stack = await LaunchedStack.start(env, { ready: false });
    try {
      assert.deepEqual(await waitForExit(stack.process), { code: 78, signal: null });
      assert.ok(
        stack.process.stderr.includes(`api-server: invalid configuration: API_SERVER_PORT: port ${port} ${IN_USE}`),
        stack.process.stderr.join('\n'),
      );
      assert.ok(stack.supervisorMessages.includes('api-server cannot start with this configuration; stopping the stack'));
      await stack.waitUntilNothingLeft(stack.childPids);
    } finally {
      await stack.process.kill();
      holder.close();
    }
  });
});

describe('a service whose port is taken exits 78 with one line naming its variable', () => {
  let redis: RedisServerProcess;
  const dir = mkdtempSync(join(tmpdir(), 'stt-port-in-use-redis-'));
  const pair = generateSigningKeyPair();
  before(async () => {
    redis = new RedisServerProcess({ port: await freePort(), dir });
    await redis.start();
  });
  after(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const SERVICES: [ServiceName, variable: string, env: Record<string, string>][] = [
    ['api-server', 'API_SERVER_PORT', { API_SERVER_HOST: '127.0.0.1' }],
    ['lightning-asr', 'ASR_PORT', { ASR_HOST: '127.0.0.1' }],
    ['license-proxy', 'PORT', { HOST: '127.0.0.1', LICENSE_KEY: issueLicenseKey(pair.privateKeyPem, { customer: 'port-test', validDays: 1 }) }],
  ];
  for (const [service, variable, env] of SERVICES) {
    test(`${service} (${variable})`, async () => {
      const port = await freePort();
      const holder = await holdPort(port);
      const child = new ServiceProcess(service, { REDIS_URL: redis.url, LICENSE_PUBLIC_KEYS: pair.publicKey, [variable]: String(port), ...env });
      try {
        assert.deepEqual(await waitForExit(child), { code: 78, signal: null });
        assert.deepEqual(child.stderr, [`${service}: invalid configuration: ${variable}: port ${port} ${IN_USE}`]);
      } finally {
        await child.kill();
        holder.close();
      }
    });
  }
});
