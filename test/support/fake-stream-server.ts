import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { listenLocally } from './http.js';

/** What the server does with the connection attempt number `attempt` (1, 2, …). */
export type StreamAnswer = { readonly refuse: { status: number; headers: Record<string, string>; body: object } } | { readonly accept: (socket: WebSocket) => void };

/**
 * A live endpoint of the test's own, to make what the real one does only under load on demand:
 * refuse an upgrade with a 503, close a session with 1013 at once.
 */
export class FakeStreamServer {
  attempts = 0;
  private readonly sockets = new WebSocketServer({ noServer: true });
  private server!: Server;
  url = '';

  private constructor(private readonly answer: (attempt: number) => StreamAnswer) {}

  static async start(answer: (attempt: number) => StreamAnswer): Promise<FakeStreamServer> {
    const fake = new FakeStreamServer(answer);
    fake.server = createServer((_request, response) => response.writeHead(404).end());
    fake.server.on('upgrade', (request, socket: Duplex, head) => {
      const answer = fake.answer(++fake.attempts);
      if ('refuse' in answer) {
        const body = JSON.stringify(answer.refuse.body);
        const headers = Object.entries({ ...answer.refuse.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close' });
        socket.end(`HTTP/1.1 ${answer.refuse.status} Refused\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`);
        return;
      }
      fake.sockets.handleUpgrade(request, socket, head, (ws) => answer.accept(ws));
    });
    fake.url = await listenLocally(fake.server);
    return fake;
  }

  stop(): void {
    for (const client of this.sockets.clients) client.terminate();
    this.server.close();
    this.server.closeAllConnections();
  }
}
