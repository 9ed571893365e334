import WebSocket from 'ws';
import { WORKER_STREAM_PATH, type WorkerStreamQuery } from '@stt/shared';

/** A worker answered the upgrade with an HTTP status instead (503: full, draining, not ready). */
export class WorkerRefusedStream extends Error {
  constructor(readonly status: number) {
    super(`worker refused the stream with ${status}`);
  }
}

const HANDSHAKE_TIMEOUT_MS = 5000;

/** Opens a worker's live endpoint; resolves once the WebSocket is open. */
export function connectWorkerStream(baseUrl: string, query: WorkerStreamQuery, requestId: string): Promise<WebSocket> {
  const url = new URL(WORKER_STREAM_PATH, baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
  const socket = new WebSocket(url, { headers: { 'x-request-id': requestId }, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      socket.terminate();
      reject(new WorkerRefusedStream(response.statusCode ?? 0));
    });
    socket.once('error', reject);
  });
}
