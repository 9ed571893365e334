import type { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: any;
}

/** One HTTP request with a client-side timeout (the bound a load balancer or probe would set). */
export async function request(
  url: string,
  init: RequestInit & { timeoutMs?: number } = {},
): Promise<HttpResult> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 5000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

/** `text` parsed as JSON, or undefined when it is not JSON (a proxy's HTML error page). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Polls `check` until it returns a value other than undefined; fails with the last value seen
 * after `timeoutMs`. Used for things that happen eventually (a heartbeat expiring).
 */
export async function waitFor<T>(
  description: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 20_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}${last ? `: ${String(last)}` : ''}`);
    await delay(intervalMs);
  }
}

/** Waits until GET `url` answers `status` and returns that answer. */
export function waitForStatus(url: string, status: number, timeoutMs = 20_000): Promise<HttpResult> {
  return waitFor(`${url} to answer ${status}`, async () => {
    const result = await request(url, { timeoutMs: 2000 });
    return result.status === status ? result : undefined;
  }, { timeoutMs });
}

/** Starts `server` on a free port of `host` (loopback unless told) and returns its base URL. */
export async function listenLocally(server: Server, host = '127.0.0.1'): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('server is not listening on TCP');
  return `http://${host}:${address.port}`;
}
