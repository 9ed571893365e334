import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the origin answers one request for a file:
 * - `ok`: the file, or the rest of it for `Range: bytes=<n>-` (206 with Content-Range);
 * - `error`: HTTP 500; `reset`: the connection destroyed before any answer;
 * - `corrupt`: the whole file with one byte changed;
 * - `stall`: headers and the first 10 KB, then nothing until the client gives up;
 * - `drop`: the first half, then the connection destroyed;
 * - `ignore-range`: the whole file (200) whatever Range asks;
 * - `bad-range`: a 206 whose Content-Range starts at byte 0, not where asked;
 * - `slow`: the whole file in eight pieces, 40 ms apart.
 */
export type Behaviour = 'ok' | 'error' | 'reset' | 'corrupt' | 'stall' | 'drop' | 'ignore-range' | 'bad-range' | 'slow';

export interface SeenRequest {
  readonly path: string;
  readonly range: string | undefined;
  readonly authorization: string | undefined;
}

const STALL_PREFIX_BYTES = 10 * 1024;

/** A model host on 127.0.0.1: files by path, a plan of misbehaviours per path, and every request it saw. */
export class ModelOrigin {
  readonly requests: SeenRequest[] = [];
  private readonly files = new Map<string, Buffer>();
  private readonly plans = new Map<string, Behaviour[]>();
  /** Paths under this prefix need this Authorization header (401 otherwise). */
  private protectedPrefix: { readonly prefix: string; readonly authorization: string } | undefined;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<ModelOrigin> {
    let handler: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
    const server = createServer((request, response) => handler(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = new ModelOrigin(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    handler = (request, response) => origin.handle(request, response);
    return origin;
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  serve(path: string, body: Buffer | string): void {
    this.files.set(path, Buffer.from(body));
  }

  /** The next requests for `path` behave so, in order; `ok` after them. */
  plan(path: string, ...behaviours: Behaviour[]): void {
    this.plans.set(path, behaviours);
  }

  requireAuthorization(prefix: string, authorization: string): void {
    this.protectedPrefix = { prefix, authorization };
  }

  seen(path: string): SeenRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Requests for the whole of `path` (no Range). */
  fullGets(path: string): number {
    return this.seen(path).filter((request) => request.range === undefined).length;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = request.url ?? '/';
    this.requests.push({ path, range: request.headers.range, authorization: request.headers.authorization });
    if (this.protectedPrefix !== undefined && path.startsWith(this.protectedPrefix.prefix) && request.headers.authorization !== this.protectedPrefix.authorization) {
      response.writeHead(401).end();
      return;
    }
    const body = this.files.get(path);
    if (body === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    const behaviour = this.plans.get(path)?.shift() ?? 'ok';
    const whole = { 'content-length': body.length };
    switch (behaviour) {
      case 'error':
        response.writeHead(500).end('boom');
        return;
      case 'reset':
        request.socket.destroy();
        return;
      case 'corrupt': {
        const corrupted = Buffer.from(body);
        corrupted[corrupted.length >> 1] = (corrupted[corrupted.length >> 1]! + 1) & 0xff;
        response.writeHead(200, whole).end(corrupted);
        return;
      }
      case 'stall':
        response.writeHead(200, whole);
        response.write(body.subarray(0, STALL_PREFIX_BYTES));
        return;
      case 'drop':
        response.writeHead(200, whole);
        response.write(body.subarray(0, body.length >> 1), () => setTimeout(() => request.socket.destroy(), 50));
        return;
      case 'ignore-range':
        response.writeHead(200, whole).end(body);
        return;
      case 'bad-range':
        response.writeHead(206, { 'content-length': body.length, 'content-range': `bytes 0-${body.length - 1}/${body.length}` }).end(body);
        return;
      case 'slow':
        void this.sendSlowly(response, body);
        return;
      case 'ok':
        this.sendRange(request, response, body);
        return;
    }
  }

  private sendRange(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = range === null ? 0 : Number(range[1]);
    if (range === null) {
      response.writeHead(200, { 'content-length': body.length }).end(body);
    } else if (start >= body.length) {
      response.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    } else {
      response
        .writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` })
        .end(body.subarray(start));
    }
  }

  private async sendSlowly(response: ServerResponse, body: Buffer): Promise<void> {
    response.writeHead(200, { 'content-length': body.length });
    const piece = Math.ceil(body.length / 8);
    for (let offset = 0; offset < body.length && !response.destroyed; offset += piece) {
      response.write(body.subarray(offset, offset + piece));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    response.end();
  }
}
