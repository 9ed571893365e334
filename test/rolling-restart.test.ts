import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Haproxy } from './support/haproxy.js';
import { request } from './support/http.js';
import { goforwardWav } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';

/** Client loops sending transcriptions at once, each request after the previous answer. */
const CLIENTS = 3;
/** Requests each client still sends once the stopped API server has exited: the other one carries on. */
const ROUNDS_AFTER_EXIT = 1;
/** The bound of the whole load, whatever happens. */
const MAX_REQUESTS = 400;

interface Answer {
  readonly id: string;
  readonly status: number;
  readonly text: string;
  readonly sentAfterSigterm: boolean;
}

describe('a rolling restart behind HAProxy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-rolling-'));
  let stack: TestStack;
  let haproxy: Haproxy;
  let clip: Buffer;

  before(async () => {
    clip = readFileSync(goforwardWav(dir));
    // The HAProxy of the finding: a check every second, down after 3 failures (≤ 3 s plus the
    // checks' own time), so a delay of 5 s outlasts it.
    stack = await TestStack.start({ workers: 2, apiEnv: { DRAIN_DELAY_S: '5' } });
    const other = await stack.startExtraApi();
    await stack.healthy();
    haproxy = new Haproxy({
      servers: [stack.apiUrl, other].map((url) => new URL(url).host),
      check: 'GET /health',
      timing: 'inter 1s fall 3 rise 2',
    });
    await haproxy.start();
    await haproxy.allUp();
  });
  after(async () => {
    await haproxy?.stop();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('SIGTERM one API server under steady load: no client sees an error, and it exits 0', async () => {
    const answers: Answer[] = [];
    let sigtermSent = false;
    let exited = false;
    let sent = 0;
    const client = async (index: number): Promise<void> => {
      for (let roundsAfterExit = 0; roundsAfterExit < ROUNDS_AFTER_EXIT && sent < MAX_REQUESTS; ) {
        const id = `lb-${index}-${sent++}`;
        const sentAfterSigterm = sigtermSent;
        const counted = exited;
        const result = await request(`${haproxy.url}/v1/listen?punctuate=false`, {
          method: 'POST',
          body: clip,
          headers: { authorization: `Token ${stack.licenseKey}`, 'content-type': 'audio/wav', 'x-request-id': id },
          timeoutMs: 60_000,
        }).catch((error: unknown) => ({ status: 0, text: String(error), json: undefined }));
        answers.push({ id, status: result.status, text: result.json?.text ?? result.text, sentAfterSigterm });
        if (counted) roundsAfterExit++;
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));

    // Steady load first: both servers answer through the balancer.
    const stopping = stack.api;
    await stopping.waitForLog('Transcription completed', 60_000);
    sigtermSent = true;
    stopping.signal('SIGTERM');
    const exit = await stopping.exited();
    exited = true;
    await load;

    const failures = answers.filter((answer) => answer.status !== 200);
    const servedDuringDelay = answers.filter(
      (answer) => answer.sentAfterSigterm && stopping.logs.some((line) => line.msg === 'Transcription completed' && line.request_id === answer.id),
    );
    console.log(
      `rolling restart: ${answers.length} requests, ${failures.length} failed, ` +
        `${servedDuringDelay.length} sent after SIGTERM and still answered by the stopping server`,
    );
    assert.deepEqual(failures, [], 'every request through the balancer is answered 200');
    for (const answer of answers) assert.match(answer.text, /go forward ten meters/, answer.id);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(servedDuringDelay.length > 0, 'the stopping server kept serving new requests while its health said 503');
    assert.ok(stopping.logs.some((line) => line.msg === 'API server stopped'));
  });
});
