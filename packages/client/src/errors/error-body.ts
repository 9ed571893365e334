import { SttError } from './stt-error.js';

/**
 * The SttError of a non-2xx answer: its JSON error body (`error`, `code`, `request_id`, extra
 * fields) when it has one, or INVALID_RESPONSE for a body that is not the API's (a proxy's page).
 */
export function errorFromAnswer(status: number, headers: Headers, text: string): SttError {
  const body = parseObject(text);
  const retryAfter = retryAfterSeconds(headers.get('retry-after')) ?? numberField(body?.retry_after);
  const requestId = typeof body?.request_id === 'string' ? body.request_id : (headers.get('x-request-id') ?? undefined);
  if (body === undefined || typeof body.code !== 'string') {
    return new SttError(`The server answered ${status} without an API error body.`, { code: 'INVALID_RESPONSE', status, requestId, retryAfter });
  }
  const { error, code, request_id: _requestId, ...details } = body;
  return new SttError(typeof error === 'string' ? error : `The server answered ${status} ${code}.`, { code, status, requestId, retryAfter, details });
}

/** `Retry-After` as seconds: a number of seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null | undefined): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** `text` as a JSON object, or undefined when it is not one. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function numberField(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
