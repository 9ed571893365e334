import { readFileSync } from 'node:fs';

/** The stack's version, one for all services: the shared package's own version. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
