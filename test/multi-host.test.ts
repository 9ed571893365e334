import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DrillLoad } from './support/drill-load.js';
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
    const load = new DrillLoad(stack, clip);
    load.start();
    await load.running();
    const killedAt = Date.now();
    load.markEvent('killed');
    await stack.apis.get('api-1')!.kill();
    await waitFor('HAProxy to mark api-1 down', async () => ((await stack.rotation()).get('api-1') === 'DOWN' ? true : undefined), { timeoutMs: 30_000, intervalMs: 100 });
    const downAfterS = (Date.now() - killedAt) / 1000;
    load.markEvent('marked down');
    await load.forRequests(6);
    await stack.startApi('api-1', { DRAIN_DELAY_S: String(DRAIN_DELAY_S) });
    await stack.allInRotation();
    const backAfterS = (Date.now() - killedAt) / 1000;
    await load.forRequests(6);
    const outcome = await load.stop();
    process.stdout.write(
      `drill SIGKILL api-1: marked down after ${downAfterS.toFixed(1)} s (fall ${FALL} × ${CHECK_INTERVAL_S} s), back in rotation ${backAfterS.toFixed(1)} s after the kill; ${outcome.summary()}, ${outcome.failedInFlightAt('killed')} of them in flight at the kill\n`,
    );
    // HAProxy resends a request whose connection was refused to the other server (retries, redispatch).
    assert.equal(outcome.failedSentAfter('killed'), 0, 'no request sent after the kill failed');
    assert.equal(outcome.failed(), outcome.failedInFlightAt('killed'), 'only operations in flight on api-1 at the kill failed');
    assert.ok(outcome.succeeded() > 0);
  });
});
