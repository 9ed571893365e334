import { randomFillSync } from 'node:crypto';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const ID_BYTES = 16;
/** Random bytes for 256 ids, drawn at once: one call into the system's generator per 256 requests. */
const pool = Buffer.alloc(ID_BYTES * 256);
let used = pool.length;

/** The client's `X-Request-ID` when it is well-formed, otherwise a fresh `req_…` id. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && CLIENT_REQUEST_ID.test(value) ? value : newRequestId();
}

/** `req_` + 32 random hex digits. */
export function newRequestId(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const id = `req_${pool.toString('hex', used, used + ID_BYTES)}`;
  used += ID_BYTES;
  return id;
}
