import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request, waitFor } from './support/http.js';
import { concatenatedLibrivox, goforwardWav } from './support/speech-corpus.js';
import { TestStack } from './support/test-stack.js';

describe('limits per key, shared by two API servers through Redis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-limits-'));
  let stack: TestStack;
  let servers: string[];
  const listen = (base: string, key: string, body?: Buffer) =>
    request(`${base}/v1/listen?punctuate=false`, {
      method: 'POST',
      ...(body ? { body, headers: { authorization: `Token ${key}`, 'content-type': 'audio/wav' } } : { headers: { authorization: `Token ${key}` } }),
      timeoutMs: 60_000,
    });

  before(async () => {
    stack = await TestStack.start({ workers: 1, api: false });
    const limits = { RATE_LIMIT_REQUESTS_PER_MINUTE: '4', RATE_LIMIT_CONCURRENT: '1' };
    servers = [await stack.startExtraApi(limits), await stack.startExtraApi(limits)];
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('requests per minute count across both servers: the fifth gets 429 with retry_after and Retry-After', async () => {
    // Windows are calendar minutes: do not start right before one ends.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_100 - intoMinute));
    const key = stack.issueKey();
    for (let i = 0; i < 4; i++) {
      const answer = await listen(servers[i % 2]!, key);
      assert.equal(answer.status, 400, 'admitted (and then refused for having no audio)');
    }
    const refused = await listen(servers[0]!, key);
    assert.equal(refused.status, 429);
    assert.equal(refused.json.code, 'RATE_LIMIT_EXCEEDED');
    assert.ok(refused.json.retry_after >= 1 && refused.json.retry_after <= 60);
    assert.equal(refused.headers.get('retry-after'), String(refused.json.retry_after));
    const other = await listen(servers[1]!, stack.issueKey());
    assert.equal(other.status, 400, 'another key has its own budget');
  });

  test('requests at once count across both servers: a second one while the first runs gets 429', async () => {
    const key = stack.issueKey();
    const long = readFileSync(concatenatedLibrivox(dir, 1).wav);
    const first = listen(servers[0]!, key, long);
    await waitFor('the first request to be decoding', async () =>
      stack.workers[0]!.logs.some((line) => line.msg === 'Segment started') ? true : undefined,
    );
    const second = await listen(servers[1]!, key, readFileSync(goforwardWav(dir)));
    assert.equal(second.status, 429);
    assert.match(second.json.error, /1 requests at once/);
    assert.equal((await first).status, 200);
    const third = await listen(servers[1]!, key, readFileSync(goforwardWav(dir)));
    assert.equal(third.status, 200, 'the slot is free again once the first ended');
  });

  test('the daily audio quota: once used up, 403 QUOTA_EXCEEDED with retry_after until midnight UTC', async () => {
    const key = stack.issueKey({ limits: { audio_hours_per_day: 0.0005 } }); // 1.8 s a day
    const audio = readFileSync(goforwardWav(dir)); // 2.8 s
    assert.equal((await listen(servers[0]!, key, audio)).status, 200);
    const refused = await listen(servers[1]!, key, audio);
    assert.equal(refused.status, 403);
    assert.equal(refused.json.code, 'QUOTA_EXCEEDED');
    const now = new Date();
    const toMidnight = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000;
    assert.ok(Math.abs(refused.json.retry_after - toMidnight) < 60, `retry_after ${refused.json.retry_after}`);
  });
});
