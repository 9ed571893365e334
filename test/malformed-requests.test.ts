import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formBytes, type FormPart } from './support/form-bytes.js';
import { assertContractRefusal } from './support/contract-checks.js';
import { listenLocally, request, waitFor } from './support/http.js';
import { rawRequest, requestBytes, type RawResponse } from './support/raw-http.js';
import { convert, goforwardWav } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';
import { chunk, wavFile } from './support/wav-file.js';

const MIB = 1024 * 1024;
const BOUNDARY = 'stt-test-boundary';

/** A contract refusal with this status and code, and the client's request id when it sent one. */
function assertEnvelope(response: Pick<RawResponse, 'status' | 'json' | 'text'>, status: number, code: string, requestId?: string): void {
  assert.equal(response.status, status, response.text);
  assert.equal(response.json?.code, code, response.text);
  assertContractRefusal(response);
  if (requestId === undefined) assert.match(response.json.request_id, /^req_[0-9a-f]{32}$/);
  else assert.equal(response.json.request_id, requestId);
}

describe('malformed requests get a contract error at once, and the server keeps serving', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-malformed-'));
  let stack: TestStack;
  let key: string;
  let goforward: Buffer;
  let files: Server;
  let filesUrl: string;

  const auth = (): Record<string, string> => ({ authorization: `Token ${key}` });
  const postForm = (body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`, options: { halfClose?: boolean } = {}) =>
    rawRequest(stack.apiUrl, requestBytes('POST', '/v1/listen', { ...auth(), 'content-type': contentType }, body), options);
  const audioPart = (body: Uint8Array): FormPart => ({ name: 'audio', filename: 'a.wav', contentType: 'audio/wav', body });
  /** The API server answers and is the same process as before (nothing crashed it). */
  const assertStillServing = async (): Promise<void> => {
    assert.ok(stack.api.running, 'the API server is still running');
    assert.equal((await request(`${stack.apiUrl}/health`)).status, 200);
  };

  /** The API server logs `msg` with the request id (log lines arrive a little after the answer). */
  const loggedWith = (msg: string, requestId: string) =>
    waitFor(`"${msg}" logged for ${requestId}`, async () => stack.api.logs.find((line) => line.msg === msg && line.request_id === requestId));

  before(async () => {
    goforward = readFileSync(goforwardWav(dir));
    files = createServer((req, res) => res.end(req.url === '/big.wav' ? Buffer.concat([goforward, Buffer.alloc(2 * MIB)]) : goforward));
    filesUrl = await listenLocally(files);
    stack = await TestStack.start({
      workers: 1,
      apiEnv: { MAX_UPLOAD_MB: '1', URL_FETCH_ALLOWED_HOSTS: '127.0.0.1', DRAIN_TIMEOUT_S: '3' },
    });
    key = stack.issueKey({ limits: { requests_per_minute: 10_000 } });
    await stack.healthy();
  });
  after(async () => {
    await stack.stop();
    files.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('multipart forms', () => {
    test('a form without its closing boundary: 400 INVALID_PARAMETER naming body at once; a client that half-closes is let go at once', async () => {
      const mp3 = readFileSync(convert(join(dir, 'goforward.wav'), join(dir, 'goforward.mp3')));
      const streamedWav = Buffer.from(goforward);
      streamedWav.writeUInt32LE(0xffffffff, 40);
      // The WAV is read to its data chunk's end, the streamed WAV and the MP3 (through ffmpeg) to the end of the part.
      for (const [name, audio] of [['wav', goforward], ['streamed wav', streamedWav], ['mp3', mp3]] as const) {
        const form = formBytes(BOUNDARY, [{ name: 'punctuate', body: 'false' }, audioPart(audio)], { closed: false });
        const response = await postForm(form);
        assertEnvelope(response, 400, 'INVALID_PARAMETER');
        assert.equal(response.json.parameter, 'body', name);
        // Node's HTTP server takes a half-close as the client leaving (it aborts the request): an
        // answer, if it is written before that, is the same 400; otherwise the connection just closes.
        const halfClosed = await postForm(form, undefined, { halfClose: true }).catch((error: Error) => error);
        if (halfClosed instanceof Error) assert.match(halfClosed.message, /closed without a complete response/, name);
        else assertEnvelope(halfClosed, 400, 'INVALID_PARAMETER');
      }
      await assertStillServing();
    });

    test('a multipart Content-Type without a boundary, or with one the body never uses: 400 INVALID_PARAMETER naming body', async () => {
      const form = formBytes(BOUNDARY, [audioPart(goforward)]);
      for (const contentType of ['multipart/form-data', 'multipart/form-data; boundary=not-the-one-in-the-body', 'multipart/form-data; charset=utf-8']) {
        const response = await postForm(form, contentType);
        assertEnvelope(response, 400, 'INVALID_PARAMETER');
        assert.equal(response.json.parameter, 'body', contentType);
      }
      await assertStillServing();
    });

    test('100 fields in a 100 KB form: 400 naming the field limit (not "too large"), logged with the request id', async () => {
      const fields = Array.from({ length: 100 }, (_, index): FormPart => ({ name: `field${index}`, body: 'x'.repeat(1000) }));
      const response = await postForm(formBytes(BOUNDARY, fields));
      assertEnvelope(response, 400, 'INVALID_PARAMETER');
      assert.match(response.json.error, /more than 32 fields/);
      assert.doesNotMatch(response.json.error, /larger/);
      await loggedWith('Multipart body refused', response.json.request_id);
    });

    test('a second file, a file in another field, a field value over 64 KB: 400 naming the part', async () => {
      const two = await postForm(formBytes(BOUNDARY, [audioPart(goforward), { ...audioPart(goforward), name: 'more' }]));
      assertEnvelope(two, 400, 'INVALID_PARAMETER');
      assert.equal(two.json.parameter, 'audio');
      const elsewhere = await postForm(formBytes(BOUNDARY, [{ ...audioPart(goforward), name: 'file' }]));
      assertEnvelope(elsewhere, 400, 'INVALID_PARAMETER');
      assert.equal(elsewhere.json.parameter, 'file');
      // A cut value would be used cut: a callback_url 64 KB long is refused, not truncated.
      const long = await postForm(formBytes(BOUNDARY, [{ name: 'callback_url', body: `https://example.com/${'a'.repeat(70_000)}` }, audioPart(goforward)]));
      assertEnvelope(long, 400, 'INVALID_PARAMETER');
      assert.equal(long.json.parameter, 'callback_url');
    });

    test('a JSON body that is not an object: 400 INVALID_PARAMETER naming body, not a 500', async () => {
      for (const body of ['null', '"text"', '5', '[{"url":"https://example.com/a.wav"}]']) {
        const response = await request(`${stack.apiUrl}/v1/listen`, { method: 'POST', body, headers: { ...auth(), 'content-type': 'application/json' } });
        assertEnvelope(response, 400, 'INVALID_PARAMETER');
        assert.equal(response.json.parameter, 'body', body);
      }
    });
  });

  describe('the size limit', () => {
    test('bytes after a WAV’s data chunk count against the limit: 422 FILE_TOO_LARGE, and the server does not crash', async () => {
      // The decoder is done after the data chunk; the 2 MiB chunk after it used to hit the limit unheard and kill the process.
      const trailing = Buffer.concat([goforward, chunk('junk', Buffer.alloc(2 * MIB))]);
      const raw = await rawRequest(stack.apiUrl, requestBytes('POST', '/v1/listen', { ...auth(), 'content-type': 'audio/wav' }, trailing));
      assertEnvelope(raw, 422, 'FILE_TOO_LARGE');
      await assertStillServing();
      const form = await postForm(formBytes(BOUNDARY, [audioPart(trailing)]));
      assertEnvelope(form, 422, 'FILE_TOO_LARGE');
      await assertStillServing();
      // Under the limit, the bytes after the data chunk are read and the form's later fields still apply.
      const small = Buffer.concat([goforward, chunk('junk', Buffer.alloc(100_000))]);
      const ok = await postForm(formBytes(BOUNDARY, [audioPart(small), { name: 'punctuate', body: 'false' }]));
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.text, 'go forward ten meters');
    });

    test('an upload over the limit is "The upload is larger…"; a URL’s file is "The file at the URL is larger…"', async () => {
      const big = Buffer.concat([goforward, Buffer.alloc(2 * MIB)]);
      big.writeUInt32LE(0xffffffff, 40);
      const upload = await request(`${stack.apiUrl}/v1/listen`, { method: 'POST', body: big, headers: { ...auth(), 'content-type': 'audio/wav' } });
      assertEnvelope(upload, 422, 'FILE_TOO_LARGE');
      assert.equal(upload.json.error, 'The upload is larger than 1 MB.');
      assert.equal(upload.json.max_size_mb, 1);
      const url = await request(`${stack.apiUrl}/v1/listen`, {
        method: 'POST',
        body: JSON.stringify({ url: `${filesUrl}/big.wav` }),
        headers: { ...auth(), 'content-type': 'application/json' },
      });
      assertEnvelope(url, 422, 'FILE_TOO_LARGE');
      assert.equal(url.json.error, 'The file at the URL is larger than 1 MB.');
    });

    test('a Content-Length over the limit is refused from the header, before any of the body is sent', async () => {
      // Only the headers (and the first bytes) are sent: an answer proves the server did not wait for the body.
      const raw = requestBytes('POST', '/v1/listen', { ...auth(), 'content-type': 'audio/wav', 'content-length': String(200 * MIB) }, goforward.subarray(0, 44));
      const refused = await rawRequest(stack.apiUrl, raw);
      assertEnvelope(refused, 422, 'FILE_TOO_LARGE');
      assert.equal(refused.json.error, 'The upload is larger than 1 MB.');
      assert.equal(refused.headers.connection, 'close');
      const formHead = formBytes(BOUNDARY, [audioPart(goforward.subarray(0, 44))], { closed: false });
      const form = requestBytes('POST', '/v1/listen', { ...auth(), 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(200 * MIB) }, formHead);
      assertEnvelope(await rawRequest(stack.apiUrl, form), 422, 'FILE_TOO_LARGE');
      // A form declares its fields too: 0.9 MiB of audio and 180 KB of fields (over 1 MiB in all) is not refused for its length.
      const audio = Buffer.concat([goforward, chunk('junk', Buffer.alloc(Math.round(0.9 * MIB) - goforward.length))]);
      const fields = [0, 1, 2].map((index): FormPart => ({ name: `note${index}`, body: 'x'.repeat(60_000) }));
      const fits = await postForm(formBytes(BOUNDARY, [...fields, audioPart(audio), { name: 'punctuate', body: 'false' }]));
      assert.equal(fits.status, 200, fits.text);
      assert.equal(fits.json.text, 'go forward ten meters');
    });
  });

  describe('requests outside the routes', () => {
    test('a 64 KB header: 400 INVALID_PARAMETER naming headers in the envelope, with the client’s request id', async () => {
      const bytes = requestBytes('GET', '/health', { 'x-request-id': 'client-id-1', 'x-padding': 'a'.repeat(64 * 1024) });
      const response = await rawRequest(stack.apiUrl, bytes);
      assertEnvelope(response, 400, 'INVALID_PARAMETER', 'client-id-1');
      assert.equal(response.json.parameter, 'headers');
      assert.equal(response.headers['x-request-id'], 'client-id-1');
      await loggedWith('Unparsable request refused', 'client-id-1');
    });

    test('CR or LF inside a header, or a request line that is not HTTP: 400 INVALID_PARAMETER in the envelope, not Node’s bare 400', async () => {
      for (const bytes of [
        'GET /health HTTP/1.1\r\nHost: x\r\nX-Odd: a\rb\r\n\r\n',
        'GET /health HTTP/1.1\r\nHost: x\r\nX-Odd: a\nb: c\r\nX-Request-ID: client-id-2\r\n\r\n',
        'HELLO\r\n\r\n',
      ]) {
        const response = await rawRequest(stack.apiUrl, Buffer.from(bytes, 'latin1'));
        assertEnvelope(response, 400, 'INVALID_PARAMETER', bytes.includes('client-id-2') ? 'client-id-2' : undefined);
      }
      await assertStillServing();
    });

    test('a plain GET on the live endpoints: 426 UPGRADE_REQUIRED with Upgrade: websocket, and no worker stream opened', async () => {
      const workerStreams = (): number => stack.workers[0]!.logs.filter((line) => line.msg === 'Stream started').length;
      const before = workerStreams();
      for (const path of ['/v1/listen/stream', '/api/v1/lightning/get_text', '/waves/v1/pulse/get_text']) {
        const response = await request(`${stack.apiUrl}${path}?encoding=linear16`, { headers: auth() });
        assertEnvelope(response, 426, 'UPGRADE_REQUIRED');
        assert.equal(response.headers.get('upgrade'), 'websocket');
        assert.match(response.json.error, /WebSocket/);
      }
      // Without a key it is still 401 first, as on every route.
      assertEnvelope(await request(`${stack.apiUrl}/v1/listen/stream`), 401, 'INVALID_LICENSE');
      assert.equal(workerStreams(), before);
    });
  });

  describe('WAV headers', () => {
    test('a WAV declaring 7 bits per sample with block align 0, or a frame that cannot hold its samples: 422 INVALID_AUDIO, not noise', async () => {
      const noise = Buffer.from(Array.from({ length: 32_000 }, (_, index) => (index * 7919) % 251));
      for (const header of [
        { bitsPerSample: 7, blockAlign: 0 },
        { bitsPerSample: 16, blockAlign: 3 },
        { bitsPerSample: 0, blockAlign: 1 },
      ]) {
        const wav = wavFile({ formatCode: 1, channels: 1, sampleRate: 16_000, data: noise, ...header });
        const response = await request(`${stack.apiUrl}/v1/listen`, { method: 'POST', body: wav, headers: { ...auth(), 'content-type': 'audio/wav' } });
        assertEnvelope(response, 422, 'INVALID_AUDIO');
        assert.match(response.json.error, /^The WAV file cannot be decoded: .+\.$/, JSON.stringify(header));
      }
    });

    test('after all that: one process throughout, healthy, and transcribing', async () => {
      await assertStillServing();
      const response = await postForm(formBytes(BOUNDARY, [audioPart(goforward), { name: 'punctuate', body: 'false' }]));
      assert.equal(response.json.text, 'go forward ten meters');
      assert.equal(spawnSync('pgrep', ['-P', String(stack.api.pid), 'ffmpeg'], { encoding: 'utf8' }).stdout.trim(), '', 'no ffmpeg left behind');
    });
  });

  describe('draining after refusals', () => {
    test('uploads refused over the limit leave nothing in flight: SIGTERM stops the server without waiting out its drain timeout', async () => {
      const big = Buffer.concat([goforward, Buffer.alloc(2 * MIB)]);
      big.writeUInt32LE(0xffffffff, 40);
      assertEnvelope(await request(`${stack.apiUrl}/v1/listen`, { method: 'POST', body: big, headers: { ...auth(), 'content-type': 'audio/wav' } }), 422, 'FILE_TOO_LARGE');
      assertEnvelope(await postForm(formBytes(BOUNDARY, [audioPart(big)])), 422, 'FILE_TOO_LARGE');
      stack.api.signal('SIGTERM');
      assert.deepEqual(await stack.api.exited(), { code: 0, signal: null });
      const timedOut = stack.api.logs.find((line) => line.msg === 'Drain timeout reached; closing with requests in flight');
      assert.equal(timedOut, undefined, `requests counted in flight: ${JSON.stringify(timedOut)}`);
    });
  });
});
