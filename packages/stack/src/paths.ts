import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The checkout's root: this file is packages/stack/dist/paths.js once built. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A package with a runnable `dist/main.js`: the services, the vendor's license server, and the stack launcher. */
export type ServiceName = 'api-server' | 'lightning-asr' | 'license-proxy' | 'license-server' | 'stack';

/** The built entry point of a service (or of the launcher). */
export function serviceEntry(service: ServiceName): string {
  return join(REPO_ROOT, 'packages', service, 'dist', 'main.js');
}
