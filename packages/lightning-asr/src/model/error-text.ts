/**
 * What went wrong, in words: fetch wraps the real failure (`read ECONNRESET`, `other side
 * closed`) in a generic TypeError (`fetch failed`, `terminated`), so the innermost cause is
 * named, as a connection failure.
 */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let cause: unknown = error;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  const text = (cause as Error).message;
  return error instanceof TypeError && cause !== error ? `connection failed: ${text}` : text;
}
