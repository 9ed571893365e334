/** The model the worker loads, wherever it came from. */
export interface ResolvedModel {
  /** The model file, or the unpacked archive's folder (its one top-level folder, when it has one). */
  readonly path: string;
  /** Lowercase hex of the file (of the archive, for an unpacked one); undefined when nothing was hashed. */
  readonly sha256?: string;
  /** Of the file or archive as downloaded; of every file in it, for a `MODEL_PATH` folder. */
  readonly bytes: number;
  /** Found complete in `MODEL_CACHE_DIR`, without a download or an unpack. */
  readonly fromCache: boolean;
}
