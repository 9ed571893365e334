/** `Token` is what the documentation shows; `Bearer` is what HTTP clients send by default. */
const AUTHORIZATION = /^(?:Bearer|Token)\s+(\S+)\s*$/i;

/** The credential of `Authorization: Bearer <credential>` (or `Token`), or undefined when absent or malformed. */
export function bearerCredential(header: string | undefined): string | undefined {
  return header === undefined ? undefined : AUTHORIZATION.exec(header)?.[1];
}
