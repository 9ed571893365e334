import type { z } from 'zod';
import { ApiError } from '@stt/shared';

/** A request's fields read by `schema`; a bad value is INVALID_PARAMETER naming the first one. */
export function validatedFields<Schema extends z.ZodType>(schema: Schema, raw: unknown): z.output<Schema> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const parameter = String(parsed.error.issues[0]?.path[0] ?? 'options');
    throw new ApiError('INVALID_PARAMETER', `The value of ${parameter} is not valid.`, { parameter });
  }
  return parsed.data;
}
