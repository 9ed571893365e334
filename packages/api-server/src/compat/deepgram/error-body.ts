import type { ErrorBodyRenderer, ErrorCode } from '@stt/shared';

/** Deepgram's names for the errors its clients check for; the others keep the contract's codes. */
const DEEPGRAM_CODES: Partial<Record<ErrorCode, string>> = {
  INVALID_LICENSE: 'INVALID_AUTH',
  RATE_LIMIT_EXCEEDED: 'TOO_MANY_REQUESTS',
};

/** Deepgram's error body, `{err_code, err_msg, request_id}`, with the contract's extra fields after. */
export const deepgramErrorBody: ErrorBodyRenderer = (error, requestId) => ({
  err_code: DEEPGRAM_CODES[error.code] ?? error.code,
  err_msg: error.message,
  request_id: requestId,
  ...error.extra,
});
