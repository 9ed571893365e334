import type { z } from 'zod';

/** `text` parsed as JSON and checked against `schema`; undefined when it is not JSON or not that shape. */
export function parseJsonAs<T extends z.ZodType>(schema: T, text: string): z.output<T> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
