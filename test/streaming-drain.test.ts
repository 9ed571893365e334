import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clipsWithPauses } from './support/speech-corpus.js';
import { StreamClient, StreamRefused } from './support/stream-client.js';
import { TestStack } from './support/test-stack.js';

const BYTES_PER_SECOND = 32_000;

describe('draining with live sessions open', () => {
  let stack: TestStack;
  let dir: string;
  let speech: Buffer;
  const auth = (): Record<string, string> => ({ authorization: `Token ${stack.licenseKey}` });
  const open = (): Promise<StreamClient> => StreamClient.open(`${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream?punctuate=false`, auth());
  const refusedStatus = (): Promise<number> =>
    open().then(
      (client) => {
        client.socket.terminate();
        return 101;
      },
      (error: unknown) => (error instanceof StreamRefused ? error.status : 0),
    );

  before(async () => {
    stack = await TestStack.start({ workers: 1, apiEnv: { DRAIN_TIMEOUT_S: '30' } });
    await stack.healthy();
    dir = mkdtempSync(join(tmpdir(), 'stt-stream-drain-'));
    speech = clipsWithPauses(dir, 1).pcm;
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('API server SIGTERM: new streams are refused (503), open ones run to their end, then it exits 0', async () => {
    const client = await open();
    await client.sendAudio(speech.subarray(0, 2 * BYTES_PER_SECOND), { frameBytes: 3200 });
    stack.api.signal('SIGTERM');
    await stack.api.waitForLog('Draining: refusing new work, finishing requests in flight');
    assert.equal(await refusedStatus(), 503);
    await client.sendAudio(speech.subarray(2 * BYTES_PER_SECOND), { frameBytes: 3200 });
    client.send({ type: 'close_stream' });
    assert.equal((await client.closed).code, 1000);
    assert.ok(client.finals().some((final) => String(final.transcript).length > 0));
    assert.deepEqual(await stack.api.exited(), { code: 0, signal: null });
  });

  test('past the drain timeout: the last final is flushed, then close 1001', async () => {
    await stack.startApi({ DRAIN_TIMEOUT_S: '1' });
    const client = await open();
    await client.sendAudio(speech.subarray(0, 3 * BYTES_PER_SECOND), { frameBytes: 3200 });
    stack.api.signal('SIGTERM');
    assert.equal((await client.closed).code, 1001);
    const last = client.finals().at(-1);
    assert.equal(last?.is_last, true);
    assert.ok(client.finals().some((final) => String(final.transcript).length > 0), 'the words sent were not lost');
    assert.deepEqual(await stack.api.exited(), { code: 0, signal: null });
  });

  test('worker SIGTERM: it takes no new session, finishes the one it has, then exits 0', async () => {
    await stack.startApi();
    const client = await open();
    await client.sendAudio(speech.subarray(0, 2 * BYTES_PER_SECOND), { frameBytes: 3200 });
    const worker = stack.workers[0]!;
    worker.signal('SIGTERM');
    await worker.waitForLog('Draining: finishing active work before exit');
    assert.equal(await refusedStatus(), 503, 'the draining worker refuses the new stream');
    await client.sendAudio(speech.subarray(2 * BYTES_PER_SECOND), { frameBytes: 3200 });
    client.send({ type: 'close_stream' });
    assert.equal((await client.closed).code, 1000);
    assert.ok(client.finals().some((final) => String(final.transcript).length > 0));
    assert.deepEqual(await worker.exited(), { code: 0, signal: null });
  });
});
