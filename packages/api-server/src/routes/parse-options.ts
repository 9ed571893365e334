import type { z } from 'zod';
import { ApiError } from '@stt/shared';

/** `raw` read by `schema`; a bad value is INVALID_PARAMETER naming it. */
export function parseOptionsAs<Schema extends z.ZodType>(schema: Schema, raw: unknown): z.output<Schema> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const parameter = String(parsed.error.issues[0]?.path[0] ?? 'query');
  throw new ApiError('INVALID_PARAMETER', `The value of ${parameter} is not valid.`, { parameter });
}
