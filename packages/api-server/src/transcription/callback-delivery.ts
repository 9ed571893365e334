import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@stt/shared';
import { resolveUrlTarget } from '../url-fetch/index.js';

export interface CallbackDeliveryOptions {
  /** Attempts after the first one. */
  readonly maxRetries: number;
  readonly attemptTimeoutMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly allowedHosts: readonly string[];
}

/** `X-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs a job's outcome to its `callback_url`, signed, retrying with exponential backoff on a
 * non-2xx answer, a timeout or a connection failure. The address rules of `url` inputs apply to
 * every attempt (the name is resolved and checked again each time).
 */
export class CallbackDelivery {
  constructor(
    private readonly options: CallbackDeliveryOptions,
    private readonly logger: Logger,
  ) {}

  /** Resolves true once delivered, false when every attempt failed. Never rejects. */
  async deliver(url: string, payload: object, secret: string, requestId: string): Promise<boolean> {
    const body = JSON.stringify(payload);
    const signature = signBody(body, secret);
    let backoff = this.options.initialBackoffMs;
    for (let attempt = 0; attempt <= this.options.maxRetries; attempt++) {
      const outcome = await this.post(url, body, signature, requestId).catch((error: Error) => error.message);
      if (outcome === true) {
        this.logger.info({ request_id: requestId, attempt: attempt + 1 }, 'Callback delivered');
        return true;
      }
      this.logger.warn({ request_id: requestId, attempt: attempt + 1, outcome }, 'Callback attempt failed');
      if (attempt < this.options.maxRetries) {
        await delay(backoff);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs);
      }
    }
    this.logger.error({ request_id: requestId, attempts: this.options.maxRetries + 1 }, 'Callback not delivered; giving up');
    return false;
  }

  /** One attempt: true on a 2xx answer, otherwise a short description of what happened. */
  private async post(url: string, body: string, signature: string, requestId: string): Promise<true | string> {
    const target = await resolveUrlTarget(url, this.options.allowedHosts);
    const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(target.url, {
        method: 'POST',
        lookup: target.lookup,
        agent: false,
        timeout: this.options.attemptTimeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-signature': signature,
          'x-request-id': requestId,
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
      request.end(body);
    });
  }
}
