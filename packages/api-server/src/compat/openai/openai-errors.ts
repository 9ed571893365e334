import { z } from 'zod';
import type { ApiError, ErrorBodyRenderer } from '@stt/shared';
import { errorResponsesOf } from '../../openapi/error-body-schema.js';

/** OpenAI's codes where it has one for the same refusal; otherwise ours, in its lower case. */
const OPENAI_CODES: Partial<Record<ApiError['code'], string>> = {
  INVALID_LICENSE: 'invalid_api_key',
  QUOTA_EXCEEDED: 'insufficient_quota',
};

/**
 * OpenAI's error body, `{"error":{"message","type","param","code"}}`, which its SDKs read into
 * `APIError` (`status`, `message`, `type`, `param`, `code`); our `request_id` rides along, and
 * our extra fields (`supported_languages`, `retry_after`, …) sit in the error object.
 */
export const openAiErrorBody: ErrorBodyRenderer = (error, requestId) => {
  const { parameter, ...extra } = error.extra;
  return {
    error: {
      message: error.message,
      type: errorType(error),
      param: typeof parameter === 'string' ? parameter : null,
      code: OPENAI_CODES[error.code] ?? error.code.toLowerCase(),
      ...extra,
    },
    request_id: requestId,
  };
};

/** OpenAI's error types, by what went wrong. */
function errorType(error: ApiError): string {
  if (error.code === 'QUOTA_EXCEEDED') return 'insufficient_quota';
  if (error.statusCode === 401 || error.code === 'LICENSE_EXPIRED' || error.code === 'LICENSE_REVOKED') return 'authentication_error';
  if (error.statusCode === 429) return 'rate_limit_error';
  if (error.statusCode >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** `openAiErrorBody`'s shape, for the OpenAPI document. */
const openAiErrorSchema = z.object({
  error: z
    .object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string() })
    .catchall(z.unknown())
    .describe('Extra fields by code: supported_languages, supported_models, retry_after, max_size_mb, …'),
  request_id: z.string().describe('The X-Request-ID sent, or one made for the request.'),
});

/** Every error status, as the OpenAI routes answer it. */
export const openAiErrorResponses = errorResponsesOf(openAiErrorSchema, "OpenAI's error shape");
