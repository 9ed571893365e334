import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { request, waitFor } from './support/http.js';
import { clipsWithPauses, goforwardWav } from './support/speech-corpus.js';
import { StreamClient } from './support/stream-client.js';
import { FAST_TAKEOVER, NO_KEY_LIMITS, TestStack, type Env } from './support/test-stack.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const API_ENV: Env = { ...FAST_TAKEOVER.api, ...NO_KEY_LIMITS, URL_FETCH_ALLOWED_HOSTS: '127.0.0.1' };
const WORKER_ENV: Env = FAST_TAKEOVER.worker;
/** Bounds of the load, whatever happens: requests per client, and the time the chaos may take. */
const MAX_REQUESTS_PER_CLIENT = 400;
const BYTES_PER_SECOND = 32_000;

interface SyncOutcome {
  readonly id: string;
  readonly api: string;
  readonly status: number | 'cut';
  readonly body?: { text?: string; code?: string; retry_after?: unknown };
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * A steady mixed load (synchronous batch requests, callback jobs, two live streams) while workers,
 * an API server and Redis are SIGKILLed, as an operator's worst hour would do it. The test plays
 * the supervisor and the load balancer: it restarts what it killed, and sends new requests only to
 * API servers that are up.
 */
describe('chaos: SIGKILL a worker twice, an API server and Redis while the load goes on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-chaos-'));
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let goforward: Buffer;
  let speech: Buffer;
  /** API servers in the load balancer's rotation: A (killed once) and B. */
  const rotation = new Map<string, string>();
  let killedA: { at: number; url: string } | undefined;

  before(async () => {
    goforward = readFileSync(goforwardWav(dir));
    speech = clipsWithPauses(dir, 3).pcm;
    // Redis keeps its data across its SIGKILL (an append-only file, as the embedded one does).
    stack = await TestStack.start({ workers: 0, proxy: false, api: false, redisAppendOnly: true });
    // The proxy leaves the usage events in Redis, for the test to count.
    await stack.startProxy({ USAGE_REPORT_INTERVAL_S: '86400' });
    await Promise.all([stack.startWorker(WORKER_ENV), stack.startWorker(WORKER_ENV), stack.startWorker(WORKER_ENV)]);
    await stack.startApi(API_ENV);
    const b = await stack.startReplica(API_ENV);
    rotation.set('A', stack.apiUrl);
    rotation.set('B', b.url);
    await stack.workersReady(3);
    await stack.workersReady(3, b.url);
    receiver = await WebhookReceiver.start();
  });
  after(async () => {
    receiver.stop();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every request answered or counted, every accepted job delivered once, streams go on, usage matches', async () => {
    const auth = { authorization: `Token ${stack.licenseKey}` };
    let stopping = false;
    const sync: SyncOutcome[] = [];
    const jobs: { id: string; status: number; jobId?: string }[] = [];
    let sequence = 0;
    const pick = (): [string, string] => {
      const entries = [...rotation.entries()];
      return entries[sequence++ % entries.length]!;
    };
    const post = async (id: string, query: string): Promise<{ api: string; status: number | 'cut'; json?: any; startedAt: number }> => {
      const [api, url] = pick();
      const startedAt = Date.now();
      try {
        const answer = await request(`${url}/v1/listen?punctuate=false${query}`, {
          method: 'POST',
          body: goforward,
          headers: { ...auth, 'content-type': 'audio/wav', 'x-request-id': id },
          timeoutMs: 120_000,
        });
        return { api, status: answer.status, json: answer.json, startedAt };
      } catch {
        return { api, status: 'cut', startedAt };
      }
    };

    const syncClient = async (client: number): Promise<void> => {
      for (let i = 0; i < MAX_REQUESTS_PER_CLIENT && !stopping; i++) {
        const id = `chaos-sync-${client}-${i}`;
        const { api, status, json, startedAt } = await post(id, '');
        sync.push({ id, api, status, body: json, startedAt, endedAt: Date.now() });
        await delay(200);
      }
    };
    const jobClient = async (): Promise<void> => {
      for (let i = 0; i < MAX_REQUESTS_PER_CLIENT && !stopping; i++) {
        const id = `chaos-job-${i}`;
        const { status, json } = await post(id, `&callback_url=${encodeURIComponent(receiver.url)}`);
        jobs.push({ id, status: status === 'cut' ? 0 : status, jobId: status === 202 ? json.job_id : undefined });
        await delay(2000);
      }
    };
    /** Streams real speech in real time to B (never killed) until the chaos is over, then closes. */
    const streamClient = async (): Promise<{ code: number; finals: number; error?: string }> => {
      const client = await StreamClient.open(`${rotation.get('B')!.replace('http', 'ws')}/v1/listen/stream?punctuate=false`, auth);
      while (!stopping && client.socket.readyState === client.socket.OPEN) {
        await client.sendAudio(speech, { frameBytes: 640, bytesPerSecond: BYTES_PER_SECOND });
      }
      if (client.socket.readyState === client.socket.OPEN) client.send({ type: 'close_stream' });
      const { code } = await client.closed;
      const error = client.messages.find((message) => message.type === 'error');
      return { code, finals: client.finals().length, ...(error ? { error: String(error.code) } : {}) };
    };

    const load = Promise.all([syncClient(1), syncClient(2), jobClient()]);
    const streams = Promise.all([streamClient(), streamClient()]);

    const killWorker = async (): Promise<void> => {
      const victim = stack.workers.find((worker) => worker.running)!;
      await victim.kill();
      await delay(2000);
      await stack.startWorker(WORKER_ENV);
    };
    await delay(5000);
    await killWorker();
    await delay(3000);
    // API server A: out of the rotation the moment it dies (the load balancer's health check), back once restarted.
    const oldA = stack.api;
    killedA = { at: Date.now(), url: rotation.get('A')! };
    rotation.delete('A');
    await oldA.kill();
    await delay(1000);
    await stack.startApi(API_ENV);
    rotation.set('A', stack.apiUrl);
    await delay(3000);
    await killRedis(stack);
    await delay(5000);
    await killWorker();
    await delay(5000);
    stopping = true;
    await load;
    const streamOutcomes = await streams;

    const accepted = jobs.filter((job) => job.jobId !== undefined);
    await waitFor('every accepted job delivered', async () => {
      const delivered = receiver.accepted();
      return accepted.every((job) => delivered.has(job.jobId!)) ? true : undefined;
    }, { timeoutMs: 120_000 });

    // Synchronous requests: a right answer, a 503 to retry, or cut by API server A's death while in flight on it.
    const cut = sync.filter((outcome) => outcome.status === 'cut');
    for (const outcome of cut) {
      assert.ok(
        killedA !== undefined && outcome.api === 'A' && outcome.startedAt <= killedA.at && outcome.endedAt >= killedA.at,
        `${outcome.id} lost its connection without being in flight on the killed API server`,
      );
    }
    const answered = sync.filter((outcome) => outcome.status !== 'cut');
    for (const outcome of answered) {
      if (outcome.status === 200) assert.equal(outcome.body?.text, 'go forward ten meters', outcome.id);
      else {
        assert.equal(outcome.status, 503, `${outcome.id}: ${JSON.stringify(outcome.body)}`);
        assert.equal(typeof outcome.body?.retry_after, 'number', outcome.id);
      }
    }
    // Callback jobs: each accepted one delivered completed, once per job id at a receiver that drops duplicates.
    const delivered = receiver.accepted();
    for (const job of accepted) assert.equal(delivered.get(job.jobId!)?.status, 'completed', job.id);
    for (const job of jobs.filter((job) => job.jobId === undefined)) {
      assert.ok(job.status === 503 || job.status === 0, `${job.id}: refused with ${job.status}`);
    }
    // Streams: went on through every kill and ended normally, or closed with a contract code after an error message.
    for (const stream of streamOutcomes) {
      assert.ok(stream.code === 1000 || (stream.error !== undefined && [1008, 1011, 1013].includes(stream.code)), JSON.stringify(stream));
      assert.ok(stream.finals > 0);
    }
    // Usage: a 200 or a delivered job is billed exactly once; nothing is billed twice.
    const usage = await usageCounts(stack);
    for (const outcome of answered.filter((o) => o.status === 200)) assert.equal(usage.get(outcome.id), 1, `${outcome.id} billed once`);
    for (const job of accepted) assert.equal(usage.get(job.id), 1, `${job.id} billed once`);
    for (const [id, count] of usage) assert.ok(count <= 1, `${id} billed ${count} times`);
    const streamEvents = [...usage.keys()].filter((id) => !id.startsWith('chaos-')).length;

    const count = (status: number) => answered.filter((outcome) => outcome.status === status).length;
    const duplicates = receiver.deliveries.filter((d) => d.answered === 200).length - delivered.size;
    console.log(
      `chaos: 2 worker kills, 1 API server kill, 1 Redis kill; sync requests ${sync.length}: ${count(200)} × 200, ${count(503)} × 503 ` +
        `with retry_after, ${cut.length} cut by the API server's death (in flight on it); callback jobs ${jobs.length}: ` +
        `${accepted.length} accepted, ${accepted.length} delivered completed (${duplicates} duplicate deliveries dropped by id), ` +
        `${jobs.length - accepted.length} refused with 503 or cut; streams ${streamOutcomes.map((s) => `${s.code} after ${s.finals} finals`).join(', ')}; ` +
        `usage events ${[...usage.values()].reduce((a, b) => a + b, 0)} (${streamEvents} for streams), none twice`,
    );
  });
});

/** SIGKILL of redis-server and its restart on the same port and data, as a supervisor would. */
async function killRedis(stack: TestStack): Promise<void> {
  process.kill(stack.redis.pid!, 'SIGKILL');
  await stack.redis.exited();
  await stack.redis.start();
}

/** Usage events in Redis by request id. */
async function usageCounts(stack: TestStack): Promise<Map<string, number>> {
  const redis = new Redis(stack.redis.url);
  try {
    const counts = new Map<string, number>();
    for (const [, fields] of await redis.xrange('stt:usage:events', '-', '+')) {
      const { request_id: id } = JSON.parse(fields[1]!) as { request_id: string };
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  } finally {
    redis.disconnect();
  }
}
