import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The path of module `name` beside the calling one, for a child process or worker thread to load:
 * `.js` in `dist/`, `.ts` under tsx (whose loader a fork or a worker thread inherits, but which
 * maps `.js` to `.ts` only for imports, not for an entry file).
 */
export function siblingModulePath(callerUrl: string, name: string): string {
  return fileURLToPath(new URL(`./${name}${extname(fileURLToPath(callerUrl))}`, callerUrl));
}
