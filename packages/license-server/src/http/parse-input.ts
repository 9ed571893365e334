import type { z } from 'zod';
import { ApiError } from '@stt/shared';

/**
 * Validates a part of a request (body, params) against `schema`. The first problem becomes 400
 * INVALID_PARAMETER naming the field, e.g. `events.0.audio_seconds`.
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, part: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const parameter = issue === undefined || issue.path.length === 0 ? part : issue.path.map(String).join('.');
  throw new ApiError('INVALID_PARAMETER', `Invalid ${parameter}: ${issue?.message ?? 'not valid'}.`, { parameter });
}
