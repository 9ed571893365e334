import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import { fuzz, FUZZ_RUNS } from './support/fuzz.js';
import { assertContractRefusal, assertStackStillServes, serverLog } from './support/contract-checks.js';
import { request } from './support/http.js';
import { GOFORWARD_RAW, goforwardWav } from './support/speech-corpus.js';
import { StreamClient } from './support/stream-client.js';
import { TestStack } from './support/test-stack.js';

/*
 * Live sessions on /v1/listen/stream with generated queries and frames, against a real API server
 * and a real worker: binary frames of any length and content (odd lengths, noise, oversized),
 * text frames holding commands, other JSON, any text or bytes that are not UTF-8, in any order,
 * ended by close_stream or by the client closing. Every session is refused before the upgrade
 * with a contract error, or starts, answers only messages of the contract, and closes with a
 * contract code; close_stream always gets its last final and a 1000.
 */

/** A small limit, so generated frames cross it (FRAME_TOO_LARGE, 1009) without megabytes of noise. */
const MAX_FRAME_KB = 4;
const MESSAGE_TYPES = new Set(['session_started', 'transcription', 'speech_started', 'speech_ended', 'error']);
/** What a client can cause on a healthy stack; docs/streaming.md lists the other codes (a worker lost, limits, …). */
const CLIENT_CAUSED_ERRORS = new Set(['INVALID_PARAMETER', 'FRAME_TOO_LARGE']);
const CLOSE_CODES = new Set([1000, 1008, 1009, 1011, 1013]);

type Frame = { readonly binary: true; readonly bytes: Uint8Array } | { readonly binary: false; readonly text: string | Uint8Array };

const frame: fc.Arbitrary<Frame> = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 400 }).map((bytes) => ({ binary: true as const, bytes })), weight: 12 },
  // Either side of the frame limit (the session ends with FRAME_TOO_LARGE past it).
  { arbitrary: fc.uint8Array({ minLength: MAX_FRAME_KB * 1024 - 2, maxLength: MAX_FRAME_KB * 1024 + 2 }).map((bytes) => ({ binary: true as const, bytes })), weight: 1 },
  {
    arbitrary: fc
      .oneof(
        fc.constantFrom('{"type":"finalize"}', '{"type":"keepalive"}', '{"type":"KeepAlive"}', '{"type":"close_stream","x":1}', '{"type":null}', '{}', '[]', 'null', ''),
        fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
        fc.record({ type: fc.string({ maxLength: 12 }) }).map((value) => JSON.stringify(value)),
        fc.string({ maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
      )
      .map((text) => ({ binary: false as const, text })),
    weight: 6,
  },
  // Text frames whose bytes are not UTF-8 at all.
  { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((text) => ({ binary: false as const, text })), weight: 1 },
);

const queryValue = fc.oneof(fc.constantFrom('true', 'false', '0', '1', 'yes', '', 'en', 'en-US', 'fr', 'mulaw', 'alaw', 'linear16', '8000', '44100', '48001', '100', '99', '10000'), fc.string({ maxLength: 8 }));
const query = fc.oneof(
  { arbitrary: fc.constant<[string, string][]>([]), weight: 4 },
  {
    arbitrary: fc.array(
      fc.tuple(
        fc.constantFrom('language', 'encoding', 'sample_rate', 'punctuate', 'word_timestamps', 'interim_results', 'endpointing', 'eou_timeout_ms', 'vad_events', 'other'),
        queryValue,
      ),
      { maxLength: 3 },
    ),
    weight: 1,
  },
);

const session = fc.record({
  query,
  auth: fc.constantFrom('header', 'header', 'header', 'header', 'header', 'header', 'token', 'token', 'none', 'wrong'),
  frames: fc.array(frame, { minLength: 10, maxLength: 30 }),
  end: fc.constantFrom('close_stream', 'close_stream', 'client-close'),
});

type Session = typeof session extends fc.Arbitrary<infer T> ? T : never;

interface SessionOutcome {
  readonly refused?: { readonly status: number; readonly text: string; readonly json: unknown };
  readonly messages: Record<string, unknown>[];
  readonly closeCode?: number;
  readonly framesSent: number;
}

/** The contract's promises about one session that started. */
function checkSession(spec: Session, outcome: SessionOutcome): void {
  // A client that closes at once may be gone before its session_started was sent.
  if (spec.end === 'close_stream' || outcome.messages.length > 0) assert.equal(outcome.messages[0]?.type, 'session_started', 'session_started first');
  for (const message of outcome.messages) {
    assert.ok(MESSAGE_TYPES.has(String(message.type)), `a contract message: ${JSON.stringify(message)}`);
    if (message.type === 'error') {
      assert.ok(CLIENT_CAUSED_ERRORS.has(String(message.code)), `an error the client caused, not ${String(message.code)}`);
      assert.ok(typeof message.message === 'string' && message.message.length > 10, 'an error with a sentence');
    }
  }
  assert.ok(CLOSE_CODES.has(outcome.closeCode!), `a contract close code, not ${outcome.closeCode}`);
  // A client that closes the session itself may have closed it before the server answered anything.
  if (spec.end !== 'close_stream') return;
  if (spec.frames.some((sent) => sent.binary && sent.bytes.length > MAX_FRAME_KB * 1024)) {
    assert.equal(outcome.closeCode, 1009, '1009 after a frame over the limit');
    assert.equal(outcome.messages.at(-1)?.code, 'FRAME_TOO_LARGE', 'FRAME_TOO_LARGE before the 1009');
  } else {
    assert.equal(outcome.closeCode, 1000, '1000 after close_stream');
    const last = outcome.messages.at(-1);
    assert.ok(last?.type === 'transcription' && last.is_final === true && last.is_last === true, 'the last final last');
  }
}

describe('fuzzing live stream frames and text messages on a real API server and worker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-fuzz-stream-'));
  let stack: TestStack;
  let key: string;
  let frames = 0;

  before(async () => {
    stack = await TestStack.start({ workers: 1, apiEnv: { STREAM_MAX_FRAME_KB: String(MAX_FRAME_KB) } });
    key = stack.issueKey({ limits: { requests_per_minute: 1_000_000, concurrent_requests: 1000 } });
    await stack.healthy();
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one generated session to its end; the bound a client would set marks it as hung. */
  function run(spec: Session): Promise<SessionOutcome> {
    const params = new URLSearchParams(spec.query);
    if (spec.auth === 'token') params.set('token', key);
    const headers: Record<string, string> =
      spec.auth === 'header' ? { authorization: `Token ${key}` } : spec.auth === 'wrong' ? { authorization: `Token ${key.slice(0, -4)}AAAA` } : {};
    const url = `${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream${params.size === 0 ? '' : `?${params}`}`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const messages: Record<string, unknown>[] = [];
      let framesSent = 0;
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`session not closed within 20 s; messages: ${JSON.stringify(messages)}`));
      }, 20_000);
      socket.on('unexpected-response', (_upgrade, response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          clearTimeout(timer);
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ refused: { status: response.statusCode ?? 0, text, json }, messages, framesSent });
        });
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on('message', (data, isBinary) => {
        // Anything but a JSON object in a text frame is recorded as what it is, and fails the checks.
        let message: unknown;
        try {
          message = isBinary ? undefined : JSON.parse(String(data));
        } catch {
          message = undefined;
        }
        messages.push(typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : { type: `not a JSON object: ${String(data)}` });
      });
      socket.on('close', (code) => {
        clearTimeout(timer);
        resolve({ messages, closeCode: code, framesSent });
      });
      socket.on('open', () => {
        for (const next of spec.frames) {
          if (socket.readyState !== WebSocket.OPEN) break;
          if (next.binary) socket.send(next.bytes, { binary: true });
          else socket.send(next.text, { binary: false });
          framesSent++;
        }
        if (socket.readyState !== WebSocket.OPEN) return;
        if (spec.end === 'close_stream') socket.send(JSON.stringify({ type: 'close_stream' }));
        else socket.close(1000);
      });
    });
  }

  /**
   * A session, tried once more after the server's `retry_after` when the worker had no live place
   * free: the one worker's places are released just after the previous session's close reached the
   * client, and a session started at once can find them all still taken (the contract's 503, which
   * a client retries). The frames are what is fuzzed here, not that race.
   */
  async function runAsAClientWould(spec: Session): Promise<SessionOutcome> {
    const outcome = await run(spec);
    const refusal = outcome.refused?.json as { code?: unknown; retry_after?: unknown } | undefined;
    if (outcome.refused?.status !== 503 || refusal?.code !== 'SERVICE_UNAVAILABLE' || typeof refusal.retry_after !== 'number') return outcome;
    await delay(Math.min(refusal.retry_after, 10) * 1000);
    return run(spec);
  }

  test('fuzz stream: refused with a contract error, or contract messages and close codes; close_stream always ends with its last final', async () => {
    const closes = new Map<number, number>();
    let refusals = 0;
    await fuzz(
      'stream',
      fc.asyncProperty(session, async (spec) => {
        const outcome = await runAsAClientWould(spec);
        frames += outcome.framesSent;
        if (outcome.refused !== undefined) {
          refusals++;
          assertContractRefusal(outcome.refused);
          assert.ok(spec.auth === 'none' || spec.auth === 'wrong' || spec.query.length > 0, `a plain session refused: ${outcome.refused.text}`);
          return;
        }
        closes.set(outcome.closeCode!, (closes.get(outcome.closeCode!) ?? 0) + 1);
        try {
          checkSession(spec, outcome);
        } catch (error) {
          // What the session and the services said, looked up only for a failing case.
          const session = outcome.messages[0]?.session_id;
          throw new Error(`${(error as Error).message}; messages ${JSON.stringify(outcome.messages)}; logged ${await serverLog(stack, session)}`);
        }
      }),
      {
        // A case is a session of 10–30 frames: a tenth as many sessions still makes more frames than FUZZ_RUNS.
        numRuns: Math.ceil(FUZZ_RUNS / 10),
        budgetMs: 90_000,
        caseTimeoutMs: 25_000,
        summary: () => `${frames} frames, ${refusals} refused at the upgrade, closes ${[...closes].map(([code, count]) => `${count}×${code}`).join(' ')}`,
      },
    );
    assert.ok(frames >= FUZZ_RUNS, `at least ${FUZZ_RUNS} frames, not ${frames}`);

    // Still serving: a real stream and a real batch request.
    const client = await StreamClient.open(`${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream?punctuate=false`, { authorization: `Token ${key}` });
    await client.sendAudio(readFileSync(GOFORWARD_RAW), { frameBytes: 3200 });
    client.send({ type: 'close_stream' });
    assert.equal((await client.closed).code, 1000);
    assert.equal(client.finals().map((final) => final.transcript).join(' '), 'go forward ten meters');
    await assertStackStillServes(stack, async () => {
      const response = await request(`${stack.apiUrl}/v1/listen?punctuate=false`, {
        method: 'POST',
        body: readFileSync(goforwardWav(dir)),
        headers: { authorization: `Token ${key}`, 'content-type': 'audio/wav' },
        timeoutMs: 30_000,
      });
      return response.json?.text;
    });
  });
});
