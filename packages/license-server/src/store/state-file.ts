import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  emptyLicenseServerState,
  licenseServerStateSchema,
  serializeLicenseServerState,
  type LicenseServerState,
} from './license-server-state.js';

/**
 * Reads the state kept in `path`, or creates the file with an empty state when there is none
 * (so a path that cannot be written fails at start, not at the first usage batch). A file that
 * is not a state file throws one line naming it: the server must not start on forgotten totals.
 */
export async function loadStateFile(path: string): Promise<{ state: LicenseServerState; created: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const state = emptyLicenseServerState();
    await saveStateFile(path, state);
    return { state, created: true };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON.parse's message: it quotes the file, newlines and all, and start-up failures are one line.
    throw new Error(`DATA_FILE ${path} is not valid JSON.`);
  }
  const parsed = licenseServerStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`DATA_FILE ${path} is not a license server state: ${issue?.path.join('.') || 'state'}: ${issue?.message ?? 'invalid'}`);
  }
  return { state: parsed.data, created: false };
}

/**
 * Replaces `path` with `state` durably: a crash leaves either the old file or the new one,
 * never half of one. Temp file, fsync, rename over, then fsync the directory so the rename
 * itself survives a power cut.
 */
export async function saveStateFile(path: string, state: LicenseServerState): Promise<void> {
  const temp = `${path}.tmp`;
  const file = await open(temp, 'w', 0o600);
  try {
    await file.writeFile(serializeLicenseServerState(state), 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
