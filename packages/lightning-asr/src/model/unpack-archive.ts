import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@stt/shared';
import { ModelSourceError } from './errors/model-source-error.js';

/** Enough of bsdtar's complaint to say what went wrong. */
const MAX_STDERR_CHARS = 2000;

/**
 * Unpacks the archive into `targetDir` with bsdtar (Debian's libarchive-tools: one tool for
 * `.tar.gz`, `.tar.bz2`, `.tar.xz` and `.zip`, and it refuses absolute and `..` paths). It is
 * unpacked beside the target and renamed into place, so a half-unpacked folder is never used.
 * Returns the model folder: the archive's one top-level folder when it has one (sherpa-onnx
 * archives do, and its name tells the layout), otherwise `targetDir`.
 */
export async function unpackArchive(archivePath: string, targetDir: string, logger: Logger): Promise<string> {
  logger.info('Unpacking model archive');
  const temporary = `${targetDir}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    // What a worker that died before writing the manifest left behind.
    await rm(targetDir, { recursive: true, force: true });
    await mkdir(temporary, { recursive: true });
    await bsdtar(['-x', '--no-same-owner', '-f', archivePath, '-C', temporary]);
    const entries = await readdir(temporary, { withFileTypes: true });
    if (entries.length === 0) throw new Error('the archive is empty');
    await rename(temporary, targetDir);
    const only = entries.length === 1 ? entries[0] : undefined;
    return only?.isDirectory() ? join(targetDir, only.name) : targetDir;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw new ModelSourceError(`Model archive could not be unpacked: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function bsdtar(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bsdtar', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-MAX_STDERR_CHARS);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new Error('bsdtar is not installed (Debian package libarchive-tools)') : error);
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`bsdtar ${signal !== null ? `was killed by ${signal}` : `exited with code ${code}`}: ${stderr.trim() || 'no message'}`));
    });
  });
}
