import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from './support/http.js';
import { clipsWithPauses } from './support/speech-corpus.js';
import { StreamClient, StreamRefused } from './support/stream-client.js';
import { TestStack } from './support/test-stack.js';

const STREAMS_PER_WORKER = 3;
const WORKERS = 2;
const SESSIONS = 50;

describe('50 sessions at once against the capacity the workers report', () => {
  let stack: TestStack;
  let dir: string;
  before(async () => {
    stack = await TestStack.start({ workers: 0, apiEnv: { RATE_LIMIT_CONCURRENT: '1000', RATE_LIMIT_REQUESTS_PER_MINUTE: '100000' } });
    await Promise.all(Array.from({ length: WORKERS }, () => stack.startWorker({ ASR_STREAM_CAPACITY: String(STREAMS_PER_WORKER) })));
    await stack.healthy();
    dir = mkdtempSync(join(tmpdir(), 'stt-capacity-'));
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('exactly the capacity is taken, every other session is refused 503 before the upgrade, and the taken ones all finish', async () => {
    const url = `${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream?punctuate=false`;
    // A session taken early keeps itself open (keepalive) while the others are still being answered.
    const keepalives: NodeJS.Timeout[] = [];
    const t0 = Date.now();
    const settled: number[] = [];
    const attempts = await Promise.allSettled(
      Array.from({ length: SESSIONS }, () =>
        StreamClient.open(url, { authorization: `Token ${stack.licenseKey}` }).then(
          (client) => {
            settled.push(Date.now() - t0);
            keepalives.push(setInterval(() => client.send({ type: 'keepalive' }), 2000));
            return client;
          },
          (error: unknown) => {
            settled.push(Date.now() - t0);
            throw error;
          },
        ),
      ),
    );
    keepalives.forEach(clearInterval);
    console.log(`50 attempts settled within ${Math.max(...settled)} ms (median ${settled.sort((a, b) => a - b)[25]} ms)`);
    const open = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    const refused = attempts.flatMap((attempt) => (attempt.status === 'rejected' ? [attempt.reason as unknown] : []));
    assert.equal(open.length, WORKERS * STREAMS_PER_WORKER, 'as many sessions as the workers have live decoders');
    for (const refusal of refused) {
      assert.ok(refusal instanceof StreamRefused);
      assert.equal(refusal.status, 503);
      assert.equal(refusal.body.code, 'SERVICE_UNAVAILABLE');
      assert.equal(refusal.body.error, 'No ASR worker can take a stream now.');
    }

    const speech = clipsWithPauses(dir, 1).pcm;
    await Promise.all(
      open.map(async (client) => {
        await client.sendAudio(speech, { frameBytes: 3200 });
        client.send({ type: 'close_stream' });
        assert.equal((await client.closed).code, 1000, JSON.stringify(client.messages.at(-1)));
        assert.ok(client.finals().some((final) => String(final.transcript).split(' ').length >= 10), 'each session got its words');
      }),
    );

    // Capacity is given back: a new session is taken.
    const again = await StreamClient.open(url, { authorization: `Token ${stack.licenseKey}` });
    again.send({ type: 'close_stream' });
    assert.equal((await again.closed).code, 1000);
  });

  test('clients that hang up during the upgrade leave no worker place taken', async () => {
    const { hostname: host, port } = new URL(stack.apiUrl);
    const streamsEnded = (): number => stack.workers.flatMap((worker) => worker.logs.filter((line) => line.msg === 'Stream ended')).length;
    const ended = streamsEnded();
    // Each sends its upgrade and half-closes at once: the API server takes a worker for it, then finds it gone.
    await Promise.all(
      Array.from({ length: WORKERS * STREAMS_PER_WORKER }, () => new Promise<void>((resolve) => {
        const socket = connect(Number(port), host, () => {
          socket.end(
            `GET /v1/listen/stream HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
              `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Token ${stack.licenseKey}\r\n\r\n`,
          );
        });
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
        socket.resume();
      })),
    );
    await waitFor('the worker streams of the hung-up clients to end', async () =>
      streamsEnded() >= ended + WORKERS * STREAMS_PER_WORKER ? true : undefined,
    );
    const sessions = await Promise.all(
      Array.from({ length: WORKERS * STREAMS_PER_WORKER }, () => StreamClient.open(`${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream`, { authorization: `Token ${stack.licenseKey}` })),
    );
    for (const session of sessions) session.send({ type: 'close_stream' });
    for (const session of sessions) assert.equal((await session.closed).code, 1000);
  });
});
