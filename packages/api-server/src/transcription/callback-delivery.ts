import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { resolveUrlTarget } from '../url-fetch/index.js';

export interface CallbackDeliveryOptions {
  /** Attempts after the first one. */
  readonly maxRetries: number;
  readonly attemptTimeoutMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly allowedHosts: readonly string[];
}

/** One webhook to send: the same bytes, signature and delivery id on every attempt. */
export interface Webhook {
  readonly url: string;
  readonly body: string;
  readonly secret: string;
  readonly jobId: string;
  /** Stable across attempts and restarts, so a receiver can drop a duplicate. */
  readonly deliveryId: string;
  readonly requestId: string;
}

/** `X-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs a job's outcome to its `callback_url`, signed, one attempt at a time: the caller keeps
 * the schedule (in Redis, so it survives a restart) and asks here how long to wait before the
 * next one. The address rules of `url` inputs apply to every attempt (the name is resolved and
 * checked again each time).
 */
export class CallbackDelivery {
  constructor(private readonly options: CallbackDeliveryOptions) {}

  /** Whether `attempts` failed attempts leave another one to make. */
  retriesLeft(attempts: number): boolean {
    return attempts <= this.options.maxRetries;
  }

  /** How long to wait after failed attempt number `attempts` (1, 2, …): doubling, capped. */
  backoffMs(attempts: number): number {
    return Math.min(this.options.initialBackoffMs * 2 ** (attempts - 1), this.options.maxBackoffMs);
  }

  /** The longest every attempt and wait of one delivery can take together. */
  get maxSpanMs(): number {
    let span = 0;
    for (let attempt = 1; attempt <= this.options.maxRetries + 1; attempt++) span += this.options.attemptTimeoutMs + this.backoffMs(attempt);
    return span;
  }

  /** One attempt: true on a 2xx answer, otherwise a short description of what happened. Never rejects. */
  async attempt(webhook: Webhook, attempt: number): Promise<true | string> {
    return this.post(webhook, attempt).catch((error: Error) => error.message);
  }

  private async post(webhook: Webhook, attempt: number): Promise<true | string> {
    const target = await resolveUrlTarget(webhook.url, this.options.allowedHosts);
    const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(target.url, {
        method: 'POST',
        lookup: target.lookup,
        agent: false,
        timeout: this.options.attemptTimeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(webhook.body),
          'x-signature': signBody(webhook.body, webhook.secret),
          'x-job-id': webhook.jobId,
          'x-delivery-id': webhook.deliveryId,
          'x-delivery-attempt': String(attempt),
          'x-request-id': webhook.requestId,
          'user-agent': 'stt-api-server (callback)',
        },
      });
      request.once('timeout', () => request.destroy(new Error(`no answer within ${this.options.attemptTimeoutMs} ms`)));
      request.once('error', reject);
      request.once('response', (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve(status >= 200 && status < 300 ? true : `status ${status}`);
      });
      request.end(webhook.body);
    });
  }
}
