import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '@stt/shared';

/** The contract's error envelope, as the document shows every non-2xx answer. */
export const errorBodySchema = z
  .object({
    error: z.string().describe('One human sentence.'),
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    request_id: z.string().describe('The X-Request-ID sent, or one made for the request.'),
  })
  .catchall(z.unknown())
  .describe('Extra fields by code: parameter, supported_languages, supported_models, retry_after, max_size_mb, …');

/** Every error status of the contract, answered with `schema` (a compatible API has its own error shape). */
export function errorResponsesOf(schema: z.ZodType, description: string) {
  return Object.fromEntries(
    [...new Set(Object.values(ERROR_STATUS))].map((status) => [String(status), { description, content: { 'application/json': { schema } } }]),
  );
}

/** Every error status of the contract, answered with the envelope. */
export const errorResponses = errorResponsesOf(errorBodySchema, 'The error envelope');
