import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: any;
}

export interface RawRequestOptions {
  /** Sent after `bytes`, once the server has had them: half-closes the connection (shutdown SHUT_WR). */
  readonly halfClose?: boolean;
  /** The bound a client would set: past it the request counts as hung. */
  readonly timeoutMs?: number;
}

/**
 * Sends exactly `bytes` on a fresh connection to `baseUrl` (bytes no HTTP client would send: a
 * form without its closing boundary, a header with a bare CR) and resolves with the first
 * response, as soon as its body is complete, whether or not the request was. Rejects when no
 * complete response arrives within the timeout, or the connection ends without one.
 */
export function rawRequest(baseUrl: string, bytes: Uint8Array | string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error, response?: RawResponse): void => {
      clearTimeout(timer);
      socket.destroy();
      if (response) resolve(response);
      else reject(error);
    };
    socket.on('connect', () => {
      // The server may answer and close before it has read everything: that is an answer, not a failure.
      socket.write(bytes, () => {
        if (options.halfClose === true) socket.end();
      });
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const response = parseResponse(received);
      if (response) finish(undefined, response);
    });
    socket.on('error', (error) => {
      if (parseResponse(received) === undefined) finish(error);
    });
    socket.on('close', () => finish(new Error(`connection closed without a complete response: ${JSON.stringify(received.toString('latin1').slice(0, 200))}`)));
  });
}

/** The first complete response in `received`, or undefined while it is still arriving. */
export function parseResponse(received: Buffer): RawResponse | undefined {
  const headEnd = received.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const [statusLine = '', ...lines] = received.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine.split(' ')[1]);
  // Interim answers (100 Continue) come before the real one.
  if (status >= 100 && status < 200) return parseResponse(received.subarray(headEnd + 4));
  const length = Number(headers['content-length'] ?? 0);
  const body = received.subarray(headEnd + 4);
  if (body.length < length) return undefined;
  const text = body.subarray(0, length).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers, text, json };
}

/**
 * An HTTP/1.1 request as bytes. Content-Length is the body's unless `headers` names one (a body
 * that declares more than it sends); header values go out as written, CR and LF included.
 */
export function requestBytes(method: string, path: string, headers: Record<string, string>, body: Uint8Array = new Uint8Array(0)): Buffer {
  const all: Record<string, string> = { host: 'localhost', ...headers };
  if (!Object.keys(all).some((name) => name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding')) {
    all['content-length'] = String(body.length);
  }
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
