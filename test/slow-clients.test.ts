import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HEALTH_CONNECTION_RESERVE } from '@stt/api-server';
import { request, waitFor } from './support/http.js';
import { requestHead, SlowClient } from './support/slow-client.js';
import { concatenatedLibrivox, goforwardWav } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';

const BOUNDARY = 'slowclientboundary';
/** The cap of the API server the connection tests run against. */
const MAX_CONNECTIONS = 16;

describe('slow clients', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-slow-'));
  let stack: TestStack;
  let capped: string;
  let clip: Buffer;
  const auth = (): Record<string, string> => ({ authorization: `Token ${stack.licenseKey}` });
  const transcribe = (base: string, key = stack.licenseKey) =>
    request(`${base}/v1/listen?punctuate=false`, {
      method: 'POST',
      body: clip,
      headers: { authorization: `Token ${key}`, 'content-type': 'audio/wav' },
      timeoutMs: 60_000,
    });
  /** A raw-audio upload whose head and first bytes are sent, the rest left to the test. */
  const startUpload = async (base: string, headers: Record<string, string> = auth()): Promise<SlowClient> => {
    const client = await SlowClient.open(base);
    client.write(requestHead('POST', '/v1/listen', { ...headers, 'content-type': 'audio/wav', 'content-length': clip.length }));
    client.write(clip.subarray(0, 44));
    return client;
  };

  before(async () => {
    clip = readFileSync(goforwardWav(dir));
    // A 2 s window and 1 KB/s so that a trickle is cut within seconds, not the default 10 s.
    stack = await TestStack.start({ workers: 1, apiEnv: { BODY_RATE_WINDOW_S: '2', BODY_MIN_BYTES_PER_S: '1000' } });
    // The connection tests' server: slow bodies are held there (a long window), up to a small cap.
    capped = await stack.startExtraApi({ MAX_CONNECTIONS: String(MAX_CONNECTIONS), BODY_RATE_WINDOW_S: '600', RATE_LIMIT_CONCURRENT: '100' });
    await stack.healthy();
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an upload trickling 1 byte/s gets 408 REQUEST_BODY_TIMEOUT with the envelope, its connection is closed and its slot freed', async () => {
    const oneAtATime = stack.issueKey({ limits: { concurrent_requests: 1 } });
    const client = await startUpload(stack.apiUrl, { authorization: `Token ${oneAtATime}` });
    void client.trickle('\0', 1000);
    const response = await client.answer();
    assert.equal(response?.status, 408, response?.text);
    assert.equal(response.json.code, 'REQUEST_BODY_TIMEOUT');
    assert.match(response.json.error, /too slowly: under 1000 bytes\/s over 2 s/);
    assert.match(response.json.request_id, /^req_/);
    assert.equal(response.headers['x-request-id'], response.json.request_id);
    assert.equal(response.headers.connection, 'close');
    await client.gone();
    // The key allows one request at a time: the next one is admitted only once the cut one let go.
    const later = await waitFor('the key\'s next request to be served', async () => {
      const result = await transcribe(stack.apiUrl, oneAtATime);
      return result.status === 200 ? result : undefined;
    });
    assert.match(later.json.text, /go forward ten meters/);
  });

  test('a multipart upload trickling after its file part began gets the same 408', async () => {
    const client = await SlowClient.open(stack.apiUrl);
    const partHead = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`;
    client.write(requestHead('POST', '/v1/listen', { ...auth(), 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': partHead.length + clip.length + 100 }));
    client.write(partHead);
    client.write(clip.subarray(0, 44));
    void client.trickle('\0', 1000);
    const response = await client.answer();
    assert.equal(response?.status, 408, response?.text);
    assert.equal(response.json.code, 'REQUEST_BODY_TIMEOUT');
    await client.gone();
  });

  test('a trickling body already refused (no key) loses its connection instead of holding it', async () => {
    const client = await startUpload(stack.apiUrl, {});
    void client.trickle('\0', 1000);
    const response = await client.answer();
    assert.equal(response?.status, 401);
    assert.equal(response.json.code, 'INVALID_LICENSE');
    await client.gone();
  });

  test('a health check trickling a body gets its answer and loses its connection', async () => {
    const client = await SlowClient.open(stack.apiUrl);
    client.write(requestHead('GET', '/health', { 'content-length': 1000 }));
    void client.trickle('x', 1000);
    const response = await client.answer();
    assert.equal(response?.status, 200);
    assert.deepEqual(response.json, { status: 'healthy' });
    await client.gone();
  });

  test('a slow but steady upload, longer than the window, is transcribed', async () => {
    const client = await SlowClient.open(stack.apiUrl);
    client.write(requestHead('POST', '/v1/listen?punctuate=false', { ...auth(), 'content-type': 'audio/wav', 'content-length': clip.length }));
    // About 30 KB/s: three seconds for the clip, over a 2 s window with a 1 KB/s minimum.
    await client.pace(clip, 3000, 100);
    const response = await client.answer();
    assert.equal(response?.status, 200, response?.text);
    assert.match(response.json.text, /go forward ten meters/);
  });

  test('an upload the server itself reads slowly (its decoder pushing back) is not cut, however fast the minimum', async () => {
    // One segment in flight at a time: reading the upload waits for each 20 s segment's decode,
    // far longer than a 1 s window in which 100 KB/s would be due.
    const slowReader = await stack.startExtraApi({ BODY_RATE_WINDOW_S: '1', BODY_MIN_BYTES_PER_S: '100000', SEGMENTS_IN_FLIGHT: '1' });
    const long = readFileSync(concatenatedLibrivox(dir, 2).wav);
    const { status, json, text } = await request(`${slowReader}/v1/listen`, {
      method: 'POST',
      body: long,
      headers: { ...auth(), 'content-type': 'audio/wav' },
      timeoutMs: 120_000,
    });
    assert.equal(status, 200, text);
    assert.ok(json.metadata.segments >= 2, `segments ${json.metadata.segments}`);
  });

  test('with every connection held by slow clients, health still answers, work gets 503 with retry_after, and real work resumes once they go', async () => {
    const held: SlowClient[] = [];
    try {
      // Half slow uploads (a request each, reading its body), half clients that never finish their head.
      for (let index = 0; index < MAX_CONNECTIONS; index++) {
        if (index % 2 === 0) {
          held.push(await startUpload(capped));
        } else {
          const client = await SlowClient.open(capped);
          client.write('POST /v1/listen HTTP/1.1\r\nHost: 127.0.0.1\r\n');
          held.push(client);
        }
      }
      for (const path of ['/health', '/healthz', '/health/live']) {
        const health = await request(`${capped}${path}`, { timeoutMs: 3000 });
        assert.equal(health.status, 200, path);
      }
      assert.deepEqual((await request(`${capped}/health`, { timeoutMs: 3000 })).json, { status: 'healthy' });
      assert.equal((await request(`${capped}/health`, { method: 'HEAD', timeoutMs: 3000 })).status, 200);

      const refused = await transcribe(capped);
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.json.code, 'SERVICE_UNAVAILABLE');
      assert.match(refused.json.error, /Too many open connections \(at most 16\)/);
      assert.equal(refused.json.retry_after, 1);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.ok(held.every((client) => !client.isClosed), 'the slow clients were still connected');
    } finally {
      for (const client of held) client.close();
    }
    const served = await waitFor('work to be served again', async () => {
      const result = await transcribe(capped);
      return result.status === 200 ? result : undefined;
    });
    assert.match(served.json.text, /go forward ten meters/);
  });

  test('beyond the cap and its health reserve, a new connection is closed unanswered', async () => {
    const held: SlowClient[] = [];
    try {
      for (let index = 0; index < MAX_CONNECTIONS + HEALTH_CONNECTION_RESERVE; index++) held.push(await SlowClient.open(capped));
      const dropped = await SlowClient.open(capped);
      dropped.write(requestHead('GET', '/health', {}));
      assert.equal(await dropped.answer(), undefined);
      await dropped.gone();
    } finally {
      for (const client of held) client.close();
    }
    await waitFor('health through a fresh connection', async () => ((await request(`${capped}/health`, { timeoutMs: 3000 })).status === 200 ? true : undefined));
  });
});
