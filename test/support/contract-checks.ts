import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ERROR_STATUS } from '@stt/shared';
import { request, waitFor } from './http.js';
import type { RawResponse } from './raw-http.js';
import type { TestStack } from './test-stack.js';

/**
 * A refusal as the contract wants every one of them: not a 5xx, a code of the registry answered
 * with that code's status, a sentence, a request id, and nothing internal (stack traces, parser
 * words, addresses).
 */
export function assertContractRefusal(response: Pick<RawResponse, 'status' | 'text' | 'json'>): void {
  assert.ok(response.status < 500, `a ${response.status}: ${response.text}`);
  assert.ok(typeof response.json === 'object' && response.json !== null, `an envelope: ${response.text}`);
  const { code, error, request_id: requestId } = response.json as Record<string, unknown>;
  assert.ok(typeof code === 'string' && code in ERROR_STATUS, `a registry code: ${response.text}`);
  assert.equal(ERROR_STATUS[code as keyof typeof ERROR_STATUS], response.status, `the status of ${code}`);
  assert.ok(typeof error === 'string' && error.length > 10, `a sentence: ${response.text}`);
  assert.ok(typeof requestId === 'string' && requestId.length > 0, `a request id: ${response.text}`);
  assert.doesNotMatch(response.text, /\n\s+at |node_modules|busboy|Dicer|Unexpected end|ECONN|EPIPE|\[object /);
}

/** What a service logged about one request (its warnings and errors), to explain a failing case. */
export async function serverLog(stack: TestStack, requestId: unknown): Promise<string> {
  // Log lines arrive a moment after the answer.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const lines = [stack.api, ...stack.workers].flatMap((service) => service.logs.filter((line) => line.request_id === requestId && line.level !== 'info'));
  return JSON.stringify(lines);
}

/**
 * After a fuzz run: the same API server process still serves (no crash, no restart), is healthy,
 * transcribes a real recording, and left no ffmpeg behind.
 */
export async function assertStackStillServes(stack: TestStack, transcribe: () => Promise<string>): Promise<void> {
  assert.ok(stack.api.running, 'the API server process is still running');
  assert.equal((await request(`${stack.apiUrl}/health`)).status, 200, 'healthy');
  assert.equal(await transcribe(), 'go forward ten meters');
  // A decoder killed at the end of its request is reaped a moment later.
  await waitFor('no ffmpeg left behind', async () => (spawnSync('pgrep', ['-P', String(stack.api.pid), 'ffmpeg']).status === 1 ? true : undefined));
}
