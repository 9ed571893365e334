import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The checkout's root: this file is packages/stack/dist/paths.js once built. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type ServiceName = 'api-server' | 'lightning-asr' | 'license-proxy';

/** The built entry point of one of the stack's services. */
export function serviceEntry(service: ServiceName): string {
  return join(REPO_ROOT, 'packages', service, 'dist', 'main.js');
}
