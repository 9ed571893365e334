import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig, startLicenseProxy, type RunningLicenseProxy } from '@stt/license-proxy';
import { checkLicenseKey, createLogger, parsePublicKeys } from '@stt/shared';
import { freePort } from './support/free-port.js';
import { request, waitFor } from './support/http.js';
import { LicenseServerProcess } from './support/license-server.js';
import { sampleValue } from './support/promql.js';
import { StreamClient } from './support/stream-client.js';
import type { LogLine } from './support/service-process.js';
import { TestStack } from './support/test-stack.js';

const HOUR = 3_600_000;

/**
 * The proxy in this process, so the test can drive its clock through a 24-hour outage; it serves
 * on a real port, talks to a real license server process and persists to the real Redis.
 */
async function proxyWithClock(stack: TestStack, licenseServerUrl: string, clock: () => Date) {
  const logs: LogLine[] = [];
  const port = await freePort();
  const logger = createLogger('license-proxy', 'debug', {}, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const proxy = await startLicenseProxy(
    loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: stack.redis.url,
      LICENSE_KEY: stack.licenseKey,
      LICENSE_PUBLIC_KEYS: stack.publicKey,
      LICENSE_SERVER_URL: licenseServerUrl,
      LICENSE_SERVER_TIMEOUT_S: '1',
      // The test runs each validation itself, at the moments it sets the clock to.
      LICENSE_VALIDATION_INTERVAL_S: '86400',
      USAGE_REPORT_INTERVAL_S: '86400',
    }),
    { logger, clock },
  );
  const messages = (): string[] => logs.map((line) => `${line.level}: ${line.msg}`);
  /** The proxy's license gauges now: the grace period (what LicenseGracePeriodEndingSoon reads) and validity (LicenseUnusable's). */
  const licenseGauges = async (): Promise<{ active?: number; remaining?: number; valid?: number }> => {
    const { text } = await request(`http://127.0.0.1:${port}/metrics`);
    return {
      active: sampleValue(text, 'license_proxy_grace_period_active'),
      remaining: sampleValue(text, 'license_proxy_grace_period_remaining_seconds'),
      valid: sampleValue(text, 'license_proxy_license_valid'),
    };
  };
  return { proxy, url: `http://127.0.0.1:${port}`, logs, messages, licenseGauges };
}

function licenseId(stack: TestStack): string {
  const check = checkLicenseKey(stack.licenseKey, parsePublicKeys([stack.publicKey]));
  assert.ok(check.ok);
  return check.claims.license_id;
}

describe('grace period while the license server is unreachable', () => {
  let stack: TestStack;
  let licenseServer: LicenseServerProcess;
  let running: RunningLicenseProxy | undefined;
  before(async () => {
    stack = await TestStack.start({ workers: 1, proxy: false, api: false });
    licenseServer = await LicenseServerProcess.start(stack.redis.options.dir, stack.publicKey);
  });
  after(async () => {
    await running?.close();
    await licenseServer.kill();
    await stack.stop();
  });

  test('24 h on the cached validation, the documented lines at their moments, then LICENSE_UNAVAILABLE; healthy again once upstream answers', async () => {
    const start = Date.now();
    let now = new Date(start);
    const { proxy, url, messages, licenseGauges } = await proxyWithClock(stack, licenseServer.url, () => now);
    running = proxy;
    await stack.startApi({ API_BASE_URL: url });
    assert.equal((await request(`${url}/health`)).json.license_server, 'reachable');
    assert.ok(messages().includes('info: License validated successfully'));

    // A hung license server first (a timeout), then a dead one (connection refused).
    licenseServer.process.signal('SIGSTOP');
    now = new Date(start + 5 * 60_000);
    assert.equal(await proxy.validateNow(), 'unreachable');
    assert.ok(messages().includes('warn: Connection timeout after 1s'));
    await licenseServer.kill();
    now = new Date(start + 10 * 60_000);
    assert.equal(await proxy.validateNow(), 'unreachable');
    const graceHealth = await request(`${url}/health`);
    assert.equal(graceHealth.status, 200, 'the license stays usable in the grace period');
    assert.equal(graceHealth.json.status, 'degraded');
    assert.equal(graceHealth.json.grace_period_active, true);
    assert.equal(graceHealth.json.license_server, 'unreachable');
    assert.equal(graceHealth.json.grace_period_ends_at, new Date(start + 24 * HOUR).toISOString(), 'grace runs from the last good validation');
    assert.equal(graceHealth.json.grace_period_remaining_seconds, 24 * 3600 - 600);
    for (const line of ['warn: Connection to license server failed', 'warn: Grace period activated', 'info: Using cached validation', 'info: Grace period active (24h remaining)']) {
      assert.ok(messages().includes(line), `logged "${line}"`);
    }

    // The API server shows the grace period in its health, and keeps accepting work.
    const license = await waitFor('the API server to see the grace period', async () => {
      const answer = await request(`${stack.apiUrl}/health/license`);
      return answer.json.grace_period_active === true ? answer : undefined;
    });
    assert.equal(license.status, 200);
    assert.equal(license.json.status, 'degraded');
    assert.ok(license.json.grace_period_remaining_seconds > 0);
    const detailed = await request(`${stack.apiUrl}/health?detailed=true`);
    assert.equal(detailed.json.components.license_proxy, 'degraded');
    assert.equal(detailed.json.details.license_proxy.grace_period_ends_at, graceHealth.json.grace_period_ends_at);
    const metrics = await request(`${url}/metrics`);
    assert.match(metrics.text, /^license_proxy_validation_failures_total\{reason="unreachable"\} 2$/m);
    assert.deepEqual(await licenseGauges(), { active: 1, remaining: 24 * 3600 - 600, valid: 1 });

    now = new Date(start + 12 * HOUR);
    await proxy.validateNow();
    assert.ok(messages().includes('info: Grace period active (12h remaining)'));
    assert.ok(!messages().includes('warn: Grace period expires in 1 hour'));
    now = new Date(start + 23 * HOUR);
    await proxy.validateNow();
    assert.ok(messages().includes('warn: Grace period expires in 1 hour'), 'warned one hour before the end');
    assert.ok(!messages().includes('error: Grace period expired'));
    assert.equal((await request(`${url}/health`)).status, 200);
    assert.deepEqual(await licenseGauges(), { active: 1, remaining: 3600, valid: 1 }, 'one hour left: the alert threshold');
    now = new Date(start + 23 * HOUR + 60_000);
    assert.deepEqual(await licenseGauges(), { active: 1, remaining: 3540, valid: 1 }, 'under an hour left: the alert fires');

    // A live stream open when the grace period ends is ended with the reason.
    const live = await StreamClient.open(`${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream`, { authorization: `Token ${stack.licenseKey}` });
    await live.waitFor((message) => message.type === 'session_started');
    now = new Date(start + 24 * HOUR);
    await proxy.validateNow();
    assert.ok(messages().includes('error: Grace period expired'));
    assert.ok(messages().includes('fatal: Service will stop accepting requests'));
    const expired = await request(`${url}/health`);
    assert.equal(expired.status, 503);
    assert.equal(expired.json.license_valid, false);
    assert.equal(expired.json.grace_period_active, false);
    assert.deepEqual(await licenseGauges(), { active: 0, remaining: 0, valid: 0 }, 'no grace period left to run: the license is unusable');
    const refused = await waitFor('the API server to refuse work', async () => {
      const answer = await request(`${stack.apiUrl}/v1/listen`, {
        method: 'POST',
        body: Buffer.alloc(64),
        headers: { authorization: `Token ${stack.licenseKey}`, 'content-type': 'audio/wav' },
      });
      return answer.status === 503 && answer.json.code === 'LICENSE_UNAVAILABLE' ? answer : undefined;
    });
    assert.equal(refused.json.error, 'The license could not be validated.');
    assert.equal((await request(`${stack.apiUrl}/health/license`)).json.reason, 'License invalid or expired');
    assert.equal((await live.closed).code, 1008);
    assert.equal(live.messages.at(-1)?.code, 'LICENSE_UNAVAILABLE');

    await licenseServer.restart();
    now = new Date(start + 25 * HOUR);
    assert.equal(await proxy.validateNow(), 'accepted');
    const recovered = await request(`${url}/health`);
    assert.equal(recovered.status, 200);
    assert.equal(recovered.json.status, 'healthy');
    assert.equal(recovered.json.grace_period_active, false);
    assert.ok(messages().includes('info: Grace period ended: license server reachable again'));
    await waitFor('the API server to see the license healthy', async () =>
      (await request(`${stack.apiUrl}/health/license`)).status === 200 ? true : undefined,
    );
  });

  test('a revoked key is refused at the next validation, in a grace period or not', async () => {
    let now = new Date();
    await running?.close();
    const { proxy, url, messages } = await proxyWithClock(stack, licenseServer.url, () => now);
    running = proxy;
    await licenseServer.kill();
    now = new Date(now.getTime() + HOUR);
    await proxy.validateNow();
    assert.equal((await request(`${url}/health`)).json.grace_period_active, true);

    await licenseServer.restart();
    await licenseServer.revoke(licenseId(stack));
    assert.equal(await proxy.validateNow(), 'refused');
    const health = await request(`${url}/health`);
    assert.equal(health.status, 503);
    assert.equal(health.json.reason, 'License revoked');
    assert.equal(health.json.grace_period_active, false);
    assert.ok(messages().includes('error: License server returned 403 Forbidden'));

    // The verdict outlives the proxy: restarted while the license server is down, it stays refused.
    await proxy.close();
    await licenseServer.kill();
    const restarted = stack.spawn('license-proxy', { ...stack.commonEnv, PORT: String(await freePort()), HOST: '127.0.0.1', LICENSE_KEY: stack.licenseKey, LICENSE_SERVER_URL: licenseServer.url, LICENSE_SERVER_TIMEOUT_S: '1' });
    running = undefined;
    await restarted.waitForLog(/^Server listening on port/);
    assert.ok(restarted.logs.some((line) => line.msg === 'Connection to license server failed'));
    assert.ok(!restarted.logs.some((line) => line.msg === 'Grace period activated'), 'no grace period for a revoked key');
    await restarted.kill();
    await licenseServer.restart();
  });
});

describe('the grace period survives a proxy restart', () => {
  let stack: TestStack;
  let licenseServer: LicenseServerProcess;
  before(async () => {
    stack = await TestStack.start({ workers: 0, proxy: false, api: false });
    licenseServer = await LicenseServerProcess.start(stack.redis.options.dir, stack.publicKey);
  });
  after(async () => {
    await licenseServer.kill();
    await stack.stop();
  });

  const upstreamEnv = (): Record<string, string> => ({
    LICENSE_SERVER_URL: licenseServer.url,
    LICENSE_SERVER_TIMEOUT_S: '1',
    LICENSE_VALIDATION_INTERVAL_S: '1',
  });

  test('killed during an outage, a restarted proxy resumes the same grace period from Redis', async () => {
    await stack.startProxy(upstreamEnv());
    assert.equal((await request(`${stack.proxyUrl}/health`)).json.license_server, 'reachable');
    await licenseServer.kill();
    const inGrace = await waitFor('the grace period', async () => {
      const health = await request(`${stack.proxyUrl}/health`);
      return health.json.grace_period_active === true ? health.json : undefined;
    });
    await stack.proxy.kill();

    await stack.startProxy(upstreamEnv());
    assert.ok(stack.proxy.logs.some((line) => line.msg === 'Using cached validation'));
    const resumed = await request(`${stack.proxyUrl}/health`);
    assert.equal(resumed.status, 200);
    assert.equal(resumed.json.grace_period_active, true);
    assert.equal(resumed.json.grace_period_ends_at, inGrace.grace_period_ends_at, 'the same grace period, not a new one');
    await stack.proxy.kill();
    await licenseServer.restart();
  });

  test('a grace period that ended while the proxy was down is over when it starts', async () => {
    // Validated 25 hours ago (by a proxy whose clock says so), then never again.
    const { proxy } = await proxyWithClock(stack, licenseServer.url, () => new Date(Date.now() - 25 * HOUR));
    await proxy.close();
    await licenseServer.kill();

    await stack.startProxy(upstreamEnv());
    const health = await request(`${stack.proxyUrl}/health`);
    assert.equal(health.status, 503);
    assert.equal(health.json.license_valid, false);
    assert.match(health.json.reason, /^Grace period expired/);
    assert.ok(stack.proxy.logs.some((line) => line.msg === 'Grace period expired'));
    await licenseServer.restart();
    await waitFor('the proxy to validate again', async () => ((await request(`${stack.proxyUrl}/health`)).status === 200 ? true : undefined));
  });
});
