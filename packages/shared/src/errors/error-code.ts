/**
 * Stable error codes of the contract's error table, plus NOT_FOUND for unknown routes,
 * LICENSE_REVOKED (the license server's refusal of a revoked key), UPGRADE_REQUIRED (a plain
 * HTTP request on a WebSocket-only route) and REQUEST_BODY_TIMEOUT (a request body arriving too
 * slowly).
 */
export const ERROR_STATUS = {
  MISSING_PARAMETER: 400,
  INVALID_PARAMETER: 400,
  UNSUPPORTED_LANGUAGE: 400,
  URL_NOT_ALLOWED: 400,
  URL_FETCH_FAILED: 400,
  INVALID_LICENSE: 401,
  LICENSE_EXPIRED: 403,
  LICENSE_REVOKED: 403,
  QUOTA_EXCEEDED: 403,
  NOT_FOUND: 404,
  REQUEST_BODY_TIMEOUT: 408,
  UNSUPPORTED_FORMAT: 415,
  FILE_TOO_LARGE: 422,
  AUDIO_TOO_LONG: 422,
  INVALID_AUDIO: 422,
  UPGRADE_REQUIRED: 426,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  LICENSE_UNAVAILABLE: 503,
  REQUEST_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
