import { fileURLToPath } from 'node:url';

/**
 * A `MODEL_URL`, split into what may be logged (`shown`: without its user, password and query)
 * and the credentials it carried, sent as a Basic `Authorization` header instead (fetch refuses
 * URLs with credentials, and a log line or `/health` reason must never show them).
 */
export class ModelUrl {
  private constructor(
    private readonly url: URL,
    readonly authorization: string | undefined,
  ) {}

  static parse(text: string): ModelUrl {
    const url = new URL(text);
    const authorization =
      url.username !== '' || url.password !== ''
        ? `Basic ${Buffer.from(`${decoded(url.username)}:${decoded(url.password)}`).toString('base64')}`
        : undefined;
    url.username = '';
    url.password = '';
    return new ModelUrl(url, authorization);
  }

  /** What is fetched, and keys the cache: the URL without credentials. */
  get href(): string {
    return this.url.href;
  }

  /**
   * What log lines and `/health` reasons show: without the query too, which may carry a token (a
   * presigned URL's signature), marked `?…`.
   */
  get shown(): string {
    return `${this.url.origin}${this.url.pathname}${this.url.search === '' ? '' : '?…'}`;
  }

  get protocol(): string {
    return this.url.protocol;
  }

  get isFile(): boolean {
    return this.url.protocol === 'file:';
  }

  /** The local path of a `file:` URL. */
  get filePath(): string {
    return fileURLToPath(this.url);
  }

  /** The last path segment, kept to what is safe in a file name (`model` when there is none). */
  get fileName(): string {
    const segment = this.url.pathname.split('/').pop() ?? '';
    const safe = segment.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
    return safe === '' ? 'model' : safe;
  }

  /** The same URL with `suffix` appended to its path (`<url>.sha256`), credentials kept. */
  withPathSuffix(suffix: string): ModelUrl {
    const url = new URL(this.url.href);
    url.pathname += suffix;
    return new ModelUrl(url, this.authorization);
  }

  /** Headers every request for this URL carries. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.authorization === undefined ? extra : { ...extra, authorization: this.authorization };
  }
}

/** A percent-encoded user or password as it was meant; as written when it is not valid encoding. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
