import { apiUrl } from './api-url.js';
import { SttError } from '../errors/stt-error.js';
import { errorFromAnswer } from '../errors/error-body.js';

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST';
  /** Path and query, from the base URL. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: RequestInit['body'];
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Health routes need no key, and are sent none. */
  readonly authenticated?: boolean;
  /** A non-2xx answer is returned rather than thrown (health: 503 is an answer). */
  readonly acceptAnyStatus?: boolean;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/**
 * One HTTP exchange with the API server: the key, the request id, a timeout, the whole body
 * read; a non-2xx answer or a transport failure becomes an SttError.
 */
export class HttpTransport {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {}

  async send(request: HttpRequest): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...request.headers };
    if (request.authenticated !== false && this.apiKey !== undefined) headers.authorization = `Token ${this.apiKey}`;
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal === undefined ? timeout : AbortSignal.any([timeout, request.signal]);
    const url = apiUrl(this.baseUrl, request.path);
    let response: Response;
    let text: string;
    try {
      // A streamed body needs half duplex: the answer may only be read once it is all sent.
      response = await fetch(url, { method: request.method, headers, body: request.body ?? null, signal, duplex: 'half' } as RequestInit);
      text = await response.text();
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (timeout.aborted) throw new SttError(`${request.method} ${url.pathname} got no answer within ${request.timeoutMs} ms.`, { code: 'TIMEOUT', cause: error });
      throw new SttError(`${request.method} ${url.pathname} failed: ${describe(error)}.`, { code: 'NETWORK_ERROR', cause: error });
    }
    if (!response.ok && request.acceptAnyStatus !== true) throw errorFromAnswer(response.status, response.headers, text);
    return { status: response.status, headers: response.headers, text };
  }
}

/** fetch's own message is "fetch failed"; the reason is its cause's (ECONNREFUSED, …). */
function describe(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
