import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request, waitFor } from './support/http.js';
import type { ServiceProcess } from './support/service-process.js';
import { clipsWithPauses, wordErrors } from './support/speech-corpus.js';
import { StreamClient, type StreamMessage } from './support/stream-client.js';
import { TestStack } from './support/test-stack.js';

const BYTES_PER_SECOND = 32_000;

describe('a worker dying in the middle of a live session', () => {
  let stack: TestStack;
  let dir: string;
  const auth = (): Record<string, string> => ({ authorization: `Token ${stack.licenseKey}` });
  const open = (): Promise<StreamClient> => StreamClient.open(`${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream?punctuate=false`, auth());

  /** The worker serving session `id` (it logs the session's request id when the stream starts). */
  const servingWorker = (id: string): Promise<ServiceProcess> =>
    waitFor('the worker serving the session', async () =>
      stack.workers.find((worker) => worker.running && worker.logs.some((line) => line.msg === 'Stream started' && line.request_id === id)),
    );

  /** Sends 2 s of speech, SIGKILLs the session's worker, and returns how the session closed. */
  async function killServingWorker(client: StreamClient): Promise<{ code: number; error: StreamMessage | undefined }> {
    const started = await client.waitFor((message) => message.type === 'session_started');
    await client.sendAudio(clipsWithPauses(dir, 1).pcm.subarray(0, 2 * BYTES_PER_SECOND), { frameBytes: 3200 });
    await (await servingWorker(started.session_id)).kill();
    const { code } = await client.closed;
    const last = client.messages.at(-1);
    return { code, error: last?.type === 'error' ? last : undefined };
  }

  before(async () => {
    stack = await TestStack.start({ workers: 2 });
    await stack.healthy();
    dir = mkdtempSync(join(tmpdir(), 'stt-failover-'));
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('SIGKILL: the session moves to the other worker, the audio since the last final is replayed, no final comes twice', async () => {
    const speech = clipsWithPauses(dir, 3);
    const client = await open();
    const started = await client.waitFor((message) => message.type === 'session_started');
    const sending = client.sendAudio(speech.pcm, { frameBytes: 640, bytesPerSecond: BYTES_PER_SECOND });
    await client.waitFor((message) => message.type === 'transcription' && message.is_final === true);
    const first = await servingWorker(started.session_id);
    await first.kill();
    await sending;
    client.send({ type: 'close_stream' });
    assert.equal((await client.closed).code, 1000);

    const second = stack.workers.find((worker) => worker !== first && worker.logs.some((line) => line.msg === 'Stream started' && line.request_id === started.session_id));
    assert.ok(second, 'another worker took the session over');
    assert.ok(!client.messages.some((message) => message.type === 'error'));
    const finals = client.finals();
    for (let index = 1; index < finals.length; index++) {
      assert.ok(finals[index]!.start >= finals[index - 1]!.end - 0.001, `final ${index} does not repeat audio an earlier final covered`);
    }
    assert.equal(finals.at(-1)?.is_last, true);
    const batch = await request(`${stack.apiUrl}/v1/listen?punctuate=false`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'audio/wav' },
      body: readFileSync(speech.wav),
      timeoutMs: 120_000,
    });
    const { errors, words } = wordErrors(batch.json.text, finals.map((final) => final.transcript).join(' '));
    console.log(`failover: ${errors} word differences from the batch endpoint in ${words} words`);
    assert.ok(errors / words <= 0.2, `no utterance lost (${errors}/${words} words differ from the batch endpoint)`);
  });

  test('no other worker left: an error message, then close 1011', async () => {
    const client = await open();
    const { code, error } = await killServingWorker(client);
    assert.equal(code, 1011);
    assert.equal(error?.code, 'WORKER_LOST');
  });

  test('the other workers full: an error message, then close 1013', async () => {
    await Promise.all([stack.startWorker({ ASR_STREAM_CAPACITY: '1' }), stack.startWorker({ ASR_STREAM_CAPACITY: '1' })]);
    // Their ready lines are not enough: the API server admits a stream only once its registry probe has seen them.
    await stack.workersReady(2);
    const [client, other] = [await open(), await open()];
    const { code, error } = await killServingWorker(client);
    assert.equal(code, 1013);
    assert.equal(error?.code, 'SERVICE_UNAVAILABLE');
    other.send({ type: 'close_stream' });
    assert.equal((await other.closed).code, 1000, 'the session on the full worker goes on');
  });
});
