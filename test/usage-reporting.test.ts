import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { checkLicenseKey, parsePublicKeys } from '@stt/shared';
import { request, waitFor } from './support/http.js';
import { LicenseServerProcess } from './support/license-server.js';
import { goforwardWav } from './support/speech-corpus.js';
import { TestStack, type Env } from './support/test-stack.js';

/** Generous limits: this test is about counting, not refusing. */
const API_ENV: Env = { RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000', RATE_LIMIT_CONCURRENT: '1000' };

type Kind = 'audio' | 'bad';

/** One request the test made: answered with a status, or cut off by a kill. */
interface Made {
  readonly id: string;
  readonly kind: Kind;
  status?: number;
  audioSeconds?: number;
}

describe('usage reporting', () => {
  let stack: TestStack;
  let licenseServer: LicenseServerProcess;
  let proxyPort: number;
  let wav: Buffer;
  let licenseId: string;

  const proxyEnv = (): Env => ({
    LICENSE_SERVER_URL: licenseServer.url,
    LICENSE_SERVER_TIMEOUT_S: '2',
    USAGE_REPORT_INTERVAL_S: '1',
    USAGE_BATCH_MAX: '3',
  });

  before(async () => {
    stack = await TestStack.start({ workers: 1, proxy: false, api: false });
    licenseServer = await LicenseServerProcess.start(stack.redis.options.dir, stack.publicKey);
    await stack.startProxy(proxyEnv());
    proxyPort = Number(new URL(stack.proxyUrl).port);
    await stack.startApi(API_ENV);
    await stack.healthy();
    wav = readFileSync(goforwardWav(stack.redis.options.dir));
    const check = checkLicenseKey(stack.licenseKey, parsePublicKeys([stack.publicKey]));
    assert.ok(check.ok);
    licenseId = check.claims.license_id;
  });
  after(async () => {
    await licenseServer.kill();
    await stack.stop();
  });

  /** Sends one request; 'refused' when no API server was listening (the request was never made). */
  async function send(made: Made): Promise<'answered' | 'cut' | 'refused'> {
    const audio = made.kind === 'audio';
    try {
      const answer = await request(`${stack.apiUrl}/v1/listen`, {
        method: 'POST',
        headers: {
          authorization: `Token ${stack.licenseKey}`,
          'x-request-id': made.id,
          'content-type': audio ? 'audio/wav' : 'application/json',
        },
        // A JSON body without `url` is MISSING_PARAMETER: a quick, billable-as-a-request 400.
        body: audio ? wav : '{}',
        timeoutMs: 30_000,
      });
      made.status = answer.status;
      made.audioSeconds = audio && answer.status === 200 ? Number(answer.json.duration) : 0;
      return 'answered';
    } catch (error) {
      const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
      // Otherwise cut off: the API server was killed while this request was in flight.
      return cause?.code === 'ECONNREFUSED' ? 'refused' : 'cut';
    }
  }

  /** Waits until the proxy has nothing left to report. */
  function allReported(): Promise<true> {
    return waitFor(
      'every usage event to be acknowledged',
      async () => (/^license_proxy_usage_events_pending 0$/m.test((await request(`${stack.proxyUrl}/metrics`)).text) ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }

  test('each event carries what was used and nothing else, and reaches the license server', async () => {
    const audio: Made = { id: 'usage-shape-audio', kind: 'audio' };
    const bad: Made = { id: 'usage-shape-bad', kind: 'bad' };
    await send(audio);
    await send(bad);
    assert.equal(audio.status, 200);
    assert.equal(bad.status, 400);
    await allReported();
    const usage = await licenseServer.usage(licenseId);
    assert.deepEqual([...usage.request_ids].sort(), [audio.id, bad.id].sort());
    assert.equal(usage.requests, 2);
    assert.deepEqual(usage.by_status, { 200: 1, 400: 1 });
    assert.deepEqual(usage.by_feature, { punctuation: 1 });
    assert.deepEqual(usage.by_kind, { batch: 2 });
    // The answer rounds the duration to the millisecond.
    assert.ok(Math.abs(usage.audio_seconds - audio.audioSeconds!) < 0.001);
  });

  test('exactly once through SIGKILLs of the proxy and the API server and lost acknowledgements', async () => {
    const before = await licenseServer.usage(licenseId);
    await licenseServer.faults({ usage_error_rate: 0.2, usage_ack_loss_rate: 0.3 });
    const made: Made[] = [];
    let running = true;
    const client = async (lane: number): Promise<void> => {
      for (let n = 0; running; n++) {
        const one: Made = { id: `usage-${lane}-${n}`, kind: n % 3 === 0 ? 'audio' : 'bad' };
        if ((await send(one)) === 'refused') await delay(100);
        else made.push(one);
      }
    };
    const clients = [0, 1, 2].map(client);

    const kills = { proxy: 0, api: 0 };
    for (let round = 0; round < 10; round++) {
      await delay(300 + Math.random() * 1500);
      if (round % 2 === 0) {
        await stack.proxy.kill();
        kills.proxy++;
        await stack.startProxy(proxyEnv(), proxyPort);
      } else {
        await stack.api.kill();
        kills.api++;
        await stack.startApi(API_ENV);
      }
    }
    await delay(1000);
    running = false;
    await Promise.all(clients);
    await licenseServer.faults({});
    await allReported();

    const usage = await licenseServer.usage(licenseId);
    const counted = usage.request_ids.filter((id) => !before.request_ids.includes(id));
    const byId = new Map(made.map((one) => [one.id, one]));
    const answered = made.filter((one) => one.status !== undefined);
    const cut = made.length - answered.length;
    const cutButCounted = counted.filter((id) => byId.get(id)?.status === undefined);
    assert.equal(new Set(counted).size, counted.length, 'no request counted twice');
    assert.deepEqual(counted.filter((id) => !byId.has(id)), [], 'only requests that were made are counted');
    assert.deepEqual(answered.filter((one) => !counted.includes(one.id)).map((one) => one.id), [], 'every answered request is counted');

    // Totals: each counted request contributes what its answer said (a request whose answer the
    // kill cut off after its event was persisted contributes what its kind always gets).
    const audioSeconds = answered.find((one) => one.kind === 'audio' && one.status === 200)?.audioSeconds ?? 0;
    const expected = { requests: 0, audio: 0, byStatus: new Map<number, number>() };
    for (const id of counted) {
      const one = byId.get(id)!;
      const status = one.status ?? (one.kind === 'audio' ? 200 : 400);
      expected.requests++;
      expected.audio += one.status !== undefined ? one.audioSeconds! : status === 200 ? audioSeconds : 0;
      expected.byStatus.set(status, (expected.byStatus.get(status) ?? 0) + 1);
    }
    assert.equal(usage.requests - before.requests, expected.requests);
    assert.ok(Math.abs(usage.audio_seconds - before.audio_seconds - expected.audio) < 0.001 * expected.requests, `audio seconds ${usage.audio_seconds - before.audio_seconds} = ${expected.audio}`);
    for (const [status, count] of expected.byStatus) {
      assert.equal((usage.by_status[status] ?? 0) - (before.by_status[status] ?? 0), count, `requests answered ${status}`);
    }
    assert.ok(usage.duplicate_batches > 0, 'lost acknowledgements made the proxy send batches again');
    console.log(
      `usage exactly-once: ${kills.proxy} proxy + ${kills.api} API server kills; ${made.length} requests made, ` +
        `${answered.length} answered, ${cut} cut off by a kill (${cutButCounted.length} of them after their event was persisted); ` +
        `license server counted ${expected.requests} requests, ${expected.audio.toFixed(2)} s of audio ` +
        `(${usage.duplicate_batches - before.duplicate_batches} duplicate deliveries ignored)`,
    );
  });
});
