import { createHash } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelUrl } from './model-url.js';
import type { ResolvedModel } from './resolved-model.js';

/** Written last, once the model is complete and verified: an entry without one is unfinished. */
export interface CacheManifest {
  /** Without credentials. */
  readonly url: string;
  readonly sha256: string;
  readonly bytes: number;
  /** The model, relative to the cache directory: the file, or the unpacked folder. */
  readonly path: string;
}

/**
 * One model's place in `MODEL_CACHE_DIR`, named `<16 hex of sha256(url)>-<file name>` so it is
 * stable per URL and still readable: the file (and `.partial` while it downloads), the
 * `.unpacked` folder of an archive, the `.json` manifest and the `.lock` of proper-lockfile.
 */
export class CacheEntry {
  readonly name: string;

  constructor(
    readonly cacheDir: string,
    private readonly url: ModelUrl,
  ) {
    const key = createHash('sha256').update(url.href).digest('hex').slice(0, 16);
    this.name = `${key}-${url.fileName}`;
  }

  get filePath(): string {
    return join(this.cacheDir, this.name);
  }

  get unpackDir(): string {
    return `${this.filePath}.unpacked`;
  }

  private get manifestPath(): string {
    return `${this.filePath}.json`;
  }

  /** The complete model the manifest describes, if it is there and has `sha256` (when one is asked for). */
  async find(sha256: string | undefined): Promise<ResolvedModel | undefined> {
    const manifest = await this.readManifest();
    if (manifest === undefined || manifest.url !== this.url.href || (sha256 !== undefined && manifest.sha256 !== sha256)) return undefined;
    const path = join(this.cacheDir, manifest.path);
    const stats = await stat(path).catch(() => undefined);
    const complete = stats !== undefined && (stats.isDirectory() || stats.size === manifest.bytes);
    return complete ? { path, sha256: manifest.sha256, bytes: manifest.bytes, fromCache: true } : undefined;
  }

  /** Records the model as complete; written whole then renamed, so a reader never sees half of it. */
  async commit(manifest: CacheManifest): Promise<ResolvedModel> {
    const temporary = `${this.manifestPath}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(temporary, this.manifestPath);
    return { path: join(this.cacheDir, manifest.path), sha256: manifest.sha256, bytes: manifest.bytes, fromCache: false };
  }

  private async readManifest(): Promise<CacheManifest | undefined> {
    let parsed: Partial<CacheManifest>;
    try {
      parsed = JSON.parse(await readFile(this.manifestPath, 'utf8')) as Partial<CacheManifest>;
    } catch {
      return undefined;
    }
    const { url, sha256, bytes, path } = parsed;
    return typeof url === 'string' && typeof sha256 === 'string' && typeof bytes === 'number' && typeof path === 'string'
      ? { url, sha256, bytes, path }
      : undefined;
  }
}
