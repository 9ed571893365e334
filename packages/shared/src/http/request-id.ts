import { randomUUID } from 'node:crypto';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The client's `X-Request-ID` when it is well-formed, otherwise a fresh `req_…` id. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && CLIENT_REQUEST_ID.test(value) ? value : newRequestId();
}

/** `req_` + 32 hex digits. randomUUID draws from a cached entropy pool: far cheaper per request than randomBytes. */
export function newRequestId(): string {
  return `req_${randomUUID().replaceAll('-', '')}`;
}
