import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { parsePublicKeys } from '../license/license-key.js';
import { LOG_LEVELS } from '../logging/logger.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Field builders for environment schemas. Each takes the raw string (or undefined when unset)
 * and yields a typed value; an empty string counts as unset so `FOO= cmd` means "default".
 */
const unsetIfEmpty = (value: unknown): unknown => (value === '' ? undefined : value);

const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const HTTP = ['http:', 'https:'] as const;

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .refine((value) => /^-?\d+$/.test(value) && Number(value) >= min && Number(value) <= max, `expected a whole number from ${min} to ${max}`)
    .transform(Number);

const urlString = (protocols: readonly string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

export const env = {
  string: (fallback?: string) =>
    z.preprocess(unsetIfEmpty, fallback === undefined ? z.string() : z.string().default(fallback)),
  optionalString: () => z.preprocess(unsetIfEmpty, z.string().optional()),
  int: (fallback: number, min: number, max: number) => z.preprocess(unsetIfEmpty, wholeNumber(min, max).default(fallback)),
  optionalInt: (min: number, max: number) => z.preprocess(unsetIfEmpty, wholeNumber(min, max).optional()),
  port: (fallback: number) => env.int(fallback, 1, 65535),
  url: (fallback?: string, protocols: readonly string[] = HTTP) =>
    z.preprocess(unsetIfEmpty, fallback === undefined ? urlString(protocols) : urlString(protocols).default(fallback)),
  optionalUrl: (protocols: readonly string[] = HTTP) => z.preprocess(unsetIfEmpty, urlString(protocols).optional()),
  enum: <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
    z.preprocess(
      (value) => (typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined),
      z.enum(values, `expected one of ${values.join(', ')}`).default(fallback),
    ),
  logLevel: () => env.enum(LOG_LEVELS, 'info'),
  /** Comma-separated base64url Ed25519 public keys that license keys must be signed by. */
  publicKeys: () =>
    z.preprocess(
      unsetIfEmpty,
      z.string().transform((value, context) => {
        try {
          return parsePublicKeys(splitList(value));
        } catch (error) {
          context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
          return z.NEVER;
        }
      }),
    ),
  list: () =>
    z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .optional()
        .transform((value) => splitList(value ?? '')),
    ),
};

/** Variables whose values must not be echoed back in an error line (it ends up in logs). */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|LICENSE_KEY$/;

/**
 * Parses `source` against `schema`, whose keys are variable names. The first problem becomes a
 * ConfigError naming the variable, so a service can fail at start-up with one clear line.
 */
export function parseEnv<T extends z.ZodRawShape>(shape: T, source: Env = process.env): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(source);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? 'configuration');
  const given = source[variable];
  if (given === undefined || given === '') throw new ConfigError(variable, 'is required');
  const shown = SECRET_NAME.test(variable) ? '' : ` (got ${JSON.stringify(given)})`;
  throw new ConfigError(variable, `${issue?.message ?? 'is invalid'}${shown}`);
}
