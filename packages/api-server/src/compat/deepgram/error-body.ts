import { z } from 'zod';
import { ERROR_STATUS, type ErrorBodyRenderer, type ErrorCode } from '@stt/shared';

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

/** Deepgram's error body, as the OpenAPI document shows the Deepgram routes' non-2xx answers. */
const deepgramErrorBodySchema = z
  .object({
    err_code: z.string().describe("The contract's code, or Deepgram's name for it (INVALID_AUTH, TOO_MANY_REQUESTS)."),
    err_msg: z.string().describe('One human sentence.'),
    request_id: z.string().describe('The X-Request-ID sent, or one made for the request.'),
  })
  .catchall(z.unknown())
  .describe("The contract's extra fields by code: parameter, supported_languages, supported_models, retry_after, …");

/** Every error status of the contract, answered with Deepgram's body. */
export const deepgramErrorResponses = Object.fromEntries(
  [...new Set(Object.values(ERROR_STATUS))].map((status) => [String(status), { description: "Deepgram's error body", content: { 'application/json': { schema: deepgramErrorBodySchema } } }]),
);
