import assert from 'node:assert/strict';
import { SttClient } from '@stt/client';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { DrillLoad } from './support/drill-load.js';
import { HOST_NAMES } from './support/hosts.js';
import { request, waitFor, waitForStatus } from './support/http.js';
import { CHECK_INTERVAL_S, MultiHostStack } from './support/multi-host-stack.js';
import { GOFORWARD_RAW, goforwardWav } from './support/speech-corpus.js';
import { StreamClient } from './support/stream-client.js';

/** HAProxy's `fall`: checks failed in a row before a server leaves the rotation (the seed's unhealthy threshold). */
const FALL = 3;
/** Above fall × interval plus a check's own time: a stopping API server stays served until the LB has let go. */
const DRAIN_DELAY_S = FALL * CHECK_INTERVAL_S + 3;
/** What the drills ask Prometheus, by instance: the seed's /health job scraped, each API server healthy, each worker scraped. */
const UP_HEALTH = 'up{job="api-server-health"}';
const HEALTH_UP = 'health_up{job="api-server-health"}';
const UP_ASR = 'up{job="lightning-asr"}';
const componentUp = (component: string): string => `health_component_up{job="api-server-health",component="${component}"}`;
const API_HOSTS = ['api-1', 'api-2'] as const;

describe('several hosts behind a load balancer: the health-check page’s failover drills', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-drills-'));
  let stack: MultiHostStack;
  let clip: Buffer;

  before(async () => {
    clip = readFileSync(goforwardWav(dir));
    stack = await MultiHostStack.start({ DRAIN_DELAY_S: String(DRAIN_DELAY_S) });
  });

  /** The drills' steady load, started and running; stopped after each test whatever happened. */
  let load: DrillLoad | undefined;
  async function underLoad(): Promise<DrillLoad> {
    load = new DrillLoad(stack, clip);
    await load.start();
    await load.running();
    return load;
  }

  /** Waits until both API servers' /health answer `status` with `body`. */
  async function bothApisSay(status: number, body: unknown): Promise<void> {
    for (const host of API_HOSTS) assert.deepEqual((await waitForStatus(`${stack.apiUrl(host)}/health`, status, 30_000)).json, body);
  }

  /** Waits until Prometheus has scraped `expr` as `value` from both API servers. */
  async function bothScraped(expr: string, value: number): Promise<void> {
    for (const host of API_HOSTS) await stack.prometheus.until(expr, stack.apiInstance(host), value);
  }

  afterEach(async () => {
    await load?.stop();
    load = undefined;
    // A drill that failed half-way must not leave a host cut off or a service down for the next one.
    for (const host of HOST_NAMES) await stack.hosts.healLink(host);
    if (!stack.redis.running) await stack.startRedis();
    for (const host of API_HOSTS) if (!stack.apis.get(host)!.running) await stack.startApi(host);
  }, { timeout: 120_000 });

  after(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('one service per host: healthy through the load balancer, batch and live through it, workers reached at their own addresses', async () => {
    const health = await waitFor('health through the load balancer', async () => {
      const answer = await request(`${stack.lbUrl}/health?detailed=true`);
      return answer.status === 200 ? answer : undefined;
    });
    assert.equal(health.json.details.lightning_asr.workers_ready, 2);
    // Prometheus on its own host scrapes every service: the seed's /health job and each /metrics job
    // (both API servers in two jobs, two workers, the proxy).
    await waitFor('Prometheus to scrape every target', async () => ((await stack.prometheus.query('count(up == 1)')).get('') === 7 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    const healthUp = await stack.prometheus.query(HEALTH_UP);
    assert.deepEqual(healthUp, new Map([[stack.apiInstance('api-1'), 1], [stack.apiInstance('api-2'), 1]]));
    const auth = { Authorization: `Token ${stack.licenseKey}` };
    // Through the typed client, as an application behind the load balancer would call it.
    const batch = await new SttClient({ baseUrl: stack.lbUrl, apiKey: stack.licenseKey }).transcribe(clip);
    assert.match(batch.text, /go forward ten meters/i);
    // A live stream is relayed by the API server to the worker's advertised address, on another host.
    const stream = await StreamClient.open(`${stack.lbUrl.replace('http', 'ws')}/v1/listen/stream`, auth);
    await stream.sendAudio(readFileSync(GOFORWARD_RAW), { frameBytes: 3200 });
    stream.send({ type: 'close_stream' });
    assert.equal((await stream.closed).code, 1000);
    assert.match(stream.finals().map((final) => final.transcript).join(' '), /go forward ten meters/i);
  });

  test('SIGKILL api-1 under load: marked down within fall × interval, only its in-flight requests fail, restarted it is back in rotation', { timeout: 180_000 }, async () => {
    const drill = await underLoad();
    const killedAt = Date.now();
    drill.markEvent('killed');
    await stack.apis.get('api-1')!.kill();
    await waitFor('HAProxy to mark api-1 down', async () => ((await stack.rotation()).get('api-1') === 'DOWN' ? true : undefined), { timeoutMs: 30_000, intervalMs: 100 });
    const downAfterS = (Date.now() - killedAt) / 1000;
    drill.markEvent('marked down');
    const scrapeFailedAfterS = (await stack.prometheus.until(UP_HEALTH, stack.apiInstance('api-1'), 0)) - killedAt;
    await drill.forRequests(6);
    await stack.startApi('api-1');
    await stack.allInRotation();
    const backAfterS = (Date.now() - killedAt) / 1000;
    await stack.prometheus.until(UP_HEALTH, stack.apiInstance('api-1'), 1);
    await stack.prometheus.until(HEALTH_UP, stack.apiInstance('api-1'), 1);
    await drill.forRequests(6);
    const outcome = await drill.stop();
    process.stdout.write(
      `drill SIGKILL api-1: marked down after ${downAfterS.toFixed(1)} s (fall ${FALL} × ${CHECK_INTERVAL_S} s), Prometheus up 0 after ${(scrapeFailedAfterS / 1000).toFixed(1)} s, ` +
        `back in rotation ${backAfterS.toFixed(1)} s after the kill (then up 1, health_up 1); ${outcome.summary()}, ${outcome.failedInFlightAt('killed')} of them in flight at the kill\n`,
    );
    assert.equal(outcome.lostJobs(), 0, 'every accepted callback job was delivered');
    // HAProxy resends a request whose connection was refused to the other server (retries, redispatch).
    assert.equal(outcome.failedSentAfter('killed'), 0, 'no request sent after the kill failed');
    assert.equal(outcome.failed(), outcome.failedInFlightAt('killed'), 'only operations in flight on api-1 at the kill failed');
    assert.ok(outcome.succeeded() > 0);
  });

  test('SIGTERM api-2 and a replacement on its host (a rolling restart, and the seed’s "Regularly test health check behavior" drill): the health check fails, the load balancer stops routing, the replacement becomes ready, the health check succeeds; zero client errors', { timeout: 180_000 }, async () => {
    const drill = await underLoad();
    const api2 = stack.apis.get('api-2')!;
    const instance = stack.apiInstance('api-2');
    const stoppedAt = Date.now();
    const seconds = (at: number): string => ((at - stoppedAt) / 1000).toFixed(1);
    api2.signal('SIGTERM');
    const [failsAt, scrapedFailingAt, outAt] = await Promise.all([
      waitFor('api-2’s /health to fail', async () => ((await request(`${stack.apiUrl('api-2')}/health`)).status === 503 ? Date.now() : undefined), { timeoutMs: 5000, intervalMs: 50 }),
      stack.prometheus.until(HEALTH_UP, instance, 0),
      waitFor('HAProxy to take api-2 out', async () => ((await stack.rotation()).get('api-2')?.startsWith('DOWN') ? Date.now() : undefined), { timeoutMs: 30_000, intervalMs: 100 }),
    ]);
    assert.deepEqual(await api2.exited(), { code: 0, signal: null });
    const exitedAt = Date.now();
    await stack.startApi('api-2');
    await waitForStatus(`${stack.apiUrl('api-2')}/health`, 200, 30_000);
    const readyAt = Date.now();
    const [inRotationAt, scrapedHealthyAt] = await Promise.all([
      stack.allInRotation().then(() => Date.now()),
      stack.prometheus.until(HEALTH_UP, instance, 1),
    ]);
    await drill.forRequests(6);
    const outcome = await drill.stop();
    process.stdout.write(
      `drill replace api-2 (SIGTERM, DRAIN_DELAY_S ${DRAIN_DELAY_S}, then a new process on its host): 1. health check fails after ${seconds(failsAt)} s (Prometheus health_up 0 after ${seconds(scrapedFailingAt)} s); ` +
        `2. load balancer stops routing after ${seconds(outAt)} s; old process exited 0 after ${seconds(exitedAt)} s; 3. replacement ready after ${seconds(readyAt)} s; ` +
        `4. health check succeeds, back in rotation after ${seconds(inRotationAt)} s (Prometheus health_up 1 after ${seconds(scrapedHealthyAt)} s); ${outcome.summary()}\n`,
    );
    assert.equal(outcome.failed(), 0, 'no client saw an error');
  });

  test('cut asr-1’s link: its work finishes on asr-2 and it leaves the registry; cut both: No ASR workers available; heal: healthy, nothing restarted', { timeout: 180_000 }, async () => {
    const pids = new Map([...stack.apis, ...stack.workers, ['proxy', stack.proxy] as const].map(([host, service]) => [host, service.pid]));
    const drill = await underLoad();
    drill.markEvent('asr-1 cut');
    await stack.hosts.cutLink('asr-1');
    await stack.workersReady(1);
    const leftAfterS = (Date.now() - drill.eventTime('asr-1 cut')) / 1000;
    await stack.prometheus.until(UP_ASR, stack.asrInstance('asr-1'), 0);
    await drill.forRequests(6);
    const oneCut = await drill.stop();

    await stack.hosts.cutLink('asr-2');
    const none = await waitFor('health to say no workers', async () => {
      const answer = await request(`${stack.lbUrl}/health`);
      return answer.status === 503 ? answer : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    assert.deepEqual(none.json, { status: 'unhealthy', reason: 'No ASR workers available' });

    await stack.hosts.healLink('asr-1');
    await stack.hosts.healLink('asr-2');
    await stack.workersReady(2);
    await bothApisSay(200, { status: 'healthy' });
    await stack.allInRotation();
    await stack.prometheus.until(UP_ASR, stack.asrInstance('asr-1'), 1);
    const pidsAfter = new Map([...stack.apis, ...stack.workers, ['proxy', stack.proxy] as const].map(([host, service]) => [host, service.pid]));
    assert.deepEqual(pidsAfter, pids, 'no service was restarted');
    process.stdout.write(
      `drill cut asr-1: left the registry after ${leftAfterS.toFixed(1)} s; ${oneCut.summary()}, ${oneCut.failedInFlightAt('asr-1 cut')} of them in flight at the cut; both cut: 503 No ASR workers available; healed: healthy\n`,
    );
    assert.equal(oneCut.failedOfKind('batch'), 0, 'every batch request finished (on asr-2)');
    assert.equal(oneCut.lostJobs(), 0, 'every accepted callback job was delivered');
  });

  test('Redis host down and up: Redis connection failed, then healthy; no callback job lost', { timeout: 180_000 }, async () => {
    const drill = await underLoad();
    drill.markEvent('redis down');
    // The host loses power: off the network, and Redis dies with it (its append-only file survives on disk).
    await stack.hosts.cutLink('redis');
    await stack.redis.stop('SIGKILL');
    await bothApisSay(503, { status: 'unhealthy', reason: 'Redis connection failed' });
    const failingAfterS = (Date.now() - drill.eventTime('redis down')) / 1000;
    await bothScraped(componentUp('redis'), 0);
    await drill.forRequests(3);

    // The host boots: its network, then Redis from its append-only file.
    await stack.hosts.healLink('redis');
    await stack.startRedis();
    drill.markEvent('redis up');
    await bothApisSay(200, { status: 'healthy' });
    const healthyAfterS = (Date.now() - drill.eventTime('redis up')) / 1000;
    await stack.allInRotation();
    await bothScraped(componentUp('redis'), 1);
    drill.markEvent('healthy');
    await drill.forRequests(6);
    const outcome = await drill.stop();
    process.stdout.write(
      `drill Redis host down: both API servers 503 Redis connection failed after ${failingAfterS.toFixed(1)} s; back up: healthy after ${healthyAfterS.toFixed(1)} s; ` +
        `${outcome.summary()}, ${outcome.lostJobs()} callback jobs lost\n`,
    );
    assert.equal(outcome.lostJobs(), 0, 'every accepted callback job was delivered');
    assert.equal(outcome.failedSentAfter('healthy'), 0, 'nothing sent once healthy again failed');
  });

  test('license proxy host down: License proxy unavailable, and work goes on', { timeout: 180_000 }, async () => {
    const drill = await underLoad();
    drill.markEvent('proxy cut');
    await stack.hosts.cutLink('proxy');
    await bothApisSay(503, { status: 'unhealthy', reason: 'License proxy unavailable' });
    const failingAfterS = (Date.now() - drill.eventTime('proxy cut')) / 1000;
    // Scraped, and unhealthy: the health job's targets stay up while health_up says what /health says.
    await bothScraped(HEALTH_UP, 0);
    await bothScraped(componentUp('license_proxy'), 0);
    for (const host of API_HOSTS) assert.equal((await stack.prometheus.query(UP_HEALTH)).get(stack.apiInstance(host)), 1);
    await waitFor('HAProxy to take both API servers out', async () => {
      const rotation = await stack.rotation();
      return rotation.get('api-1')?.startsWith('DOWN') && rotation.get('api-2')?.startsWith('DOWN') ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    // Both API servers fail their check: the balancer's fallback entries still route to them.
    await drill.forRequests(6);
    await stack.hosts.healLink('proxy');
    await stack.allInRotation();
    await bothScraped(HEALTH_UP, 1);
    const outcome = await drill.stop();
    process.stdout.write(
      `drill license proxy host cut: both API servers 503 License proxy unavailable after ${failingAfterS.toFixed(1)} s (Prometheus: up 1, health_up 0), ` +
        `both out of rotation, served through the fallback entries; ${outcome.summary()}\n`,
    );
    assert.equal(outcome.failed(), 0, 'work goes on with the proxy unreachable (docs/operations.md)');
  });
});
