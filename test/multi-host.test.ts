import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { DrillLoad } from './support/drill-load.js';
import { HOST_NAMES } from './support/hosts.js';
import { request, waitFor } from './support/http.js';
import { CHECK_INTERVAL_S, MultiHostStack } from './support/multi-host-stack.js';
import { GOFORWARD_RAW, goforwardWav } from './support/speech-corpus.js';
import { StreamClient } from './support/stream-client.js';

/** HAProxy's `fall`: checks failed in a row before a server leaves the rotation (the seed's unhealthy threshold). */
const FALL = 3;
/** Above fall × interval plus a check's own time: a stopping API server stays served until the LB has let go. */
const DRAIN_DELAY_S = FALL * CHECK_INTERVAL_S + 3;

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
    load.start();
    await load.running();
    return load;
  }

  afterEach(async () => {
    await load?.stop();
    load = undefined;
    // A drill that failed half-way must not leave a host cut off for the next one.
    for (const host of HOST_NAMES) await stack.hosts.healLink(host);
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
    const auth = { Authorization: `Token ${stack.licenseKey}` };
    const batch = await request(`${stack.lbUrl}/v1/listen`, { method: 'POST', headers: { ...auth, 'Content-Type': 'audio/wav' }, body: clip, timeoutMs: 60_000 });
    assert.equal(batch.status, 200, batch.text);
    assert.match(batch.json.text, /go forward ten meters/i);
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
    await drill.forRequests(6);
    await stack.startApi('api-1', { DRAIN_DELAY_S: String(DRAIN_DELAY_S) });
    await stack.allInRotation();
    const backAfterS = (Date.now() - killedAt) / 1000;
    await drill.forRequests(6);
    const outcome = await drill.stop();
    process.stdout.write(
      `drill SIGKILL api-1: marked down after ${downAfterS.toFixed(1)} s (fall ${FALL} × ${CHECK_INTERVAL_S} s), back in rotation ${backAfterS.toFixed(1)} s after the kill; ${outcome.summary()}, ${outcome.failedInFlightAt('killed')} of them in flight at the kill\n`,
    );
    // HAProxy resends a request whose connection was refused to the other server (retries, redispatch).
    assert.equal(outcome.failedSentAfter('killed'), 0, 'no request sent after the kill failed');
    assert.equal(outcome.failed(), outcome.failedInFlightAt('killed'), 'only operations in flight on api-1 at the kill failed');
    assert.ok(outcome.succeeded() > 0);
  });

  test('SIGTERM api-2, a rolling restart: /health 503 first, the load balancer stops routing, in-flight work finishes: zero client errors', { timeout: 180_000 }, async () => {
    const drill = await underLoad();
    const api2 = stack.apis.get('api-2')!;
    const stoppedAt = Date.now();
    api2.signal('SIGTERM');
    await waitFor('api-2’s /health to fail', async () => ((await request(`${stack.apiUrl('api-2')}/health`)).status === 503 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 50,
    });
    await waitFor('HAProxy to take api-2 out', async () => ((await stack.rotation()).get('api-2')?.startsWith('DOWN') ? true : undefined), { timeoutMs: 30_000, intervalMs: 100 });
    const outAfterS = (Date.now() - stoppedAt) / 1000;
    assert.deepEqual(await api2.exited(), { code: 0, signal: null });
    const exitedAfterS = (Date.now() - stoppedAt) / 1000;
    await stack.startApi('api-2', { DRAIN_DELAY_S: String(DRAIN_DELAY_S) });
    await stack.allInRotation();
    await drill.forRequests(6);
    const outcome = await drill.stop();
    process.stdout.write(
      `drill SIGTERM api-2: out of rotation after ${outAfterS.toFixed(1)} s, exited 0 after ${exitedAfterS.toFixed(1)} s (DRAIN_DELAY_S ${DRAIN_DELAY_S}); ${outcome.summary()}\n`,
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
    for (const host of ['api-1', 'api-2'] as const) {
      const healthy = await waitFor(`${host}’s health to heal`, async () => {
        const answer = await request(`${stack.apiUrl(host)}/health`);
        return answer.status === 200 ? answer : undefined;
      }, { timeoutMs: 30_000, intervalMs: 250 });
      assert.deepEqual(healthy.json, { status: 'healthy' });
    }
    await stack.allInRotation();
    const pidsAfter = new Map([...stack.apis, ...stack.workers, ['proxy', stack.proxy] as const].map(([host, service]) => [host, service.pid]));
    assert.deepEqual(pidsAfter, pids, 'no service was restarted');
    process.stdout.write(
      `drill cut asr-1: left the registry after ${leftAfterS.toFixed(1)} s; ${oneCut.summary()}, ${oneCut.failedInFlightAt('asr-1 cut')} of them in flight at the cut; both cut: 503 No ASR workers available; healed: healthy\n`,
    );
    assert.equal(oneCut.failedOfKind('batch'), 0, 'every batch request finished (on asr-2)');
  });

  test('license proxy host down: License proxy unavailable, and work goes on', { timeout: 120_000 }, async () => {
    await stack.hosts.cutLink('proxy');
    try {
      for (const host of ['api-1', 'api-2'] as const) {
        const down = await waitFor(`${host}’s health to say the proxy is unavailable`, async () => {
          const answer = await request(`${stack.apiUrl(host)}/health`);
          return answer.status === 503 ? answer : undefined;
        }, { timeoutMs: 30_000, intervalMs: 250 });
        assert.deepEqual(down.json, { status: 'unhealthy', reason: 'License proxy unavailable' });
      }
      await waitFor('HAProxy to take both API servers out', async () => {
        const rotation = await stack.rotation();
        return rotation.get('api-1')?.startsWith('DOWN') && rotation.get('api-2')?.startsWith('DOWN') ? true : undefined;
      }, { timeoutMs: 30_000, intervalMs: 250 });
      // Both API servers fail their check: the balancer's fallback entries still route to them.
      const batch = await request(`${stack.lbUrl}/v1/listen`, {
        method: 'POST',
        headers: { Authorization: `Token ${stack.licenseKey}`, 'Content-Type': 'audio/wav' },
        body: clip,
        timeoutMs: 60_000,
      });
      assert.equal(batch.status, 200, 'work goes on with the proxy unreachable (docs/operations.md)');
      assert.match(batch.json.text, /go forward ten meters/i);
    } finally {
      await stack.hosts.healLink('proxy');
    }
    await stack.allInRotation();
  });
});
