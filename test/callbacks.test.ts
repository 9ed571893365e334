import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request, waitFor } from './support/http.js';
import { concatenatedLibrivox, goforwardWav } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

describe('callback_url: 202 at once, then a signed webhook, retried until it lands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-hook-'));
  let stack: TestStack;
  let goforward: Buffer;
  const submit = (body: FormData, base = stack.apiUrl) =>
    request(`${base}/v1/listen`, { method: 'POST', body, headers: { authorization: `Token ${stack.licenseKey}` }, timeoutMs: 60_000 });
  const form = (audio: Buffer, fields: Record<string, string>): FormData => {
    const data = new FormData();
    data.set('audio', new Blob([audio]), 'audio.wav');
    for (const [name, value] of Object.entries(fields)) data.set(name, value);
    return data;
  };

  before(async () => {
    goforward = readFileSync(goforwardWav(dir));
    stack = await TestStack.start({
      workers: 1,
      apiEnv: { URL_FETCH_ALLOWED_HOSTS: '127.0.0.1', CALLBACK_INITIAL_BACKOFF_MS: '100', CALLBACK_MAX_RETRIES: '4' },
    });
    await stack.healthy();
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the result arrives signed with the caller\'s key after two failed deliveries, and GET shows it', async () => {
    const receiver = await WebhookReceiver.start(2);
    try {
      const accepted = await submit(form(goforward, { callback_url: receiver.url, punctuate: 'false', timestamps: 'true' }));
      assert.equal(accepted.status, 202);
      assert.equal(accepted.json.status, 'processing');
      assert.match(accepted.json.job_id, /^job_[0-9a-f]{32}$/);
      assert.match(accepted.json.request_id, /^req_/);
      await waitFor('a successful delivery', async () => (receiver.deliveries.some((d) => d.answered === 200) ? true : undefined));
      assert.deepEqual(receiver.deliveries.map((d) => d.answered), [500, 500, 200], 'retried after each failure');
      for (const delivery of receiver.deliveries) {
        const expected = `sha256=${createHmac('sha256', stack.licenseKey).update(delivery.body).digest('hex')}`;
        assert.equal(delivery.headers['x-signature'], expected);
        assert.equal(delivery.headers['content-type'], 'application/json');
      }
      const payload = JSON.parse(receiver.deliveries[2]!.body);
      assert.equal(payload.job_id, accepted.json.job_id);
      assert.equal(payload.status, 'completed');
      assert.equal(payload.result.text, 'go forward ten meters');
      assert.equal(payload.result.words.length, 4);
      const status = await request(`${stack.apiUrl}/v1/listen/${accepted.json.job_id}`, { headers: { authorization: `Token ${stack.licenseKey}` } });
      assert.equal(status.status, 200);
      assert.equal(status.json.status, 'completed');
      assert.equal(status.json.result.text, 'go forward ten meters');
      assert.equal(status.json.license_id, undefined);
      const stranger = await request(`${stack.apiUrl}/v1/listen/${accepted.json.job_id}`, { headers: { authorization: `Token ${stack.issueKey()}` } });
      assert.equal(stranger.status, 404, 'another license cannot read the job');
      assert.equal(stranger.json.code, 'NOT_FOUND');
      assert.ok(!stack.api.logs.some((line) => line.level === 'error'), 'a job that went well logs no error');
    } finally {
      receiver.stop();
    }
  });

  test('GET /v1/listen/{job_id} says processing while the job runs', async () => {
    const receiver = await WebhookReceiver.start(0);
    try {
      const long = concatenatedLibrivox(dir, 1);
      const accepted = await submit(form(readFileSync(long.wav), { callback_url: receiver.url }));
      assert.equal(accepted.status, 202);
      const status = await request(`${stack.apiUrl}/v1/listen/${accepted.json.job_id}`, { headers: { authorization: `Token ${stack.licenseKey}` } });
      assert.equal(status.json.status, 'processing');
      await waitFor('delivery', async () => (receiver.deliveries.length > 0 ? true : undefined), { timeoutMs: 60_000 });
      assert.equal(JSON.parse(receiver.deliveries[0]!.body).status, 'completed');
    } finally {
      receiver.stop();
    }
  });

  test('a job that fails is delivered as status "failed" with the error body', async () => {
    const receiver = await WebhookReceiver.start(0);
    try {
      const hurried = await stack.startExtraApi({ URL_FETCH_ALLOWED_HOSTS: '127.0.0.1', CALLBACK_JOB_TIMEOUT_S: '1' });
      const long = concatenatedLibrivox(dir, 2);
      const accepted = await submit(form(readFileSync(long.wav), { callback_url: receiver.url }), hurried);
      assert.equal(accepted.status, 202);
      await waitFor('delivery', async () => (receiver.deliveries.length > 0 ? true : undefined), { timeoutMs: 60_000 });
      const payload = JSON.parse(receiver.deliveries[0]!.body);
      assert.equal(payload.status, 'failed');
      assert.equal(payload.error.code, 'REQUEST_TIMEOUT');
      assert.equal(payload.job_id, accepted.json.job_id);
    } finally {
      receiver.stop();
    }
  });
});
