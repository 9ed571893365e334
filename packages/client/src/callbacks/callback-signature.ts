import { createHmac, timingSafeEqual } from 'node:crypto';
import type { JobStatus } from '../batch/transcript.js';
import { parseObject } from '../errors/error-body.js';
import { SttError } from '../errors/stt-error.js';

/** A callback's body: a finished job (`completed` with its result, or `failed` with the error). */
export type CallbackPayload = Exclude<JobStatus, { status: 'processing' }>;

/**
 * Whether `signature` (the `X-Signature` header: `sha256=<hex HMAC-SHA256 of the body>`) is the
 * one `secret` makes of the exact bytes received. The secret is the license key the request was
 * made with, unless the operator set WEBHOOK_SECRET. Compared in constant time.
 */
export function verifyCallbackSignature(body: string | Uint8Array, signature: string | readonly string[] | undefined, secret: string): boolean {
  if (typeof signature !== 'string') return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(signature.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The payload of a callback whose signature holds; INVALID_SIGNATURE otherwise, or for a body that is no payload. */
export function parseCallback(body: string | Uint8Array, signature: string | readonly string[] | undefined, secret: string): CallbackPayload {
  if (!verifyCallbackSignature(body, signature, secret)) throw new SttError('The callback is not signed with this secret.', { code: 'INVALID_SIGNATURE' });
  const payload = parseObject(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  if (payload === undefined || typeof payload.job_id !== 'string' || (payload.status !== 'completed' && payload.status !== 'failed')) {
    throw new SttError('The callback body is not a job outcome.', { code: 'INVALID_RESPONSE' });
  }
  return payload as unknown as CallbackPayload;
}
