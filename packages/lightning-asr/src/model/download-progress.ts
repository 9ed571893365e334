import type { Logger } from '@stt/shared';
import { formatBytes } from './format-bytes.js';

/** A progress line at least this often while bytes arrive, even when no 10 % step was passed. */
const PROGRESS_INTERVAL_MS = 5000;

/**
 * Logs `Download progress: 42% (12.3 MB of 29.1 MB)` each time another tenth of the file has
 * arrived, or after 5 s without a line, whichever is first (just the bytes when the size is not known).
 */
export class DownloadProgress {
  private lastLoggedAt = Date.now();
  private lastTenth: number;

  constructor(
    private readonly logger: Logger,
    private received: number,
    private readonly total: number | undefined,
  ) {
    this.lastTenth = this.tenth();
  }

  add(bytes: number): void {
    this.received += bytes;
    const tenth = this.tenth();
    const complete = this.total !== undefined && this.received >= this.total;
    if (complete || (tenth === this.lastTenth && Date.now() - this.lastLoggedAt < PROGRESS_INTERVAL_MS)) return;
    this.lastTenth = tenth;
    this.lastLoggedAt = Date.now();
    this.logger.info(
      this.total === undefined
        ? `Download progress: ${formatBytes(this.received)}`
        : `Download progress: ${Math.floor((this.received / this.total) * 100)}% (${formatBytes(this.received)} of ${formatBytes(this.total)})`,
    );
  }

  private tenth(): number {
    return this.total === undefined || this.total === 0 ? 0 : Math.floor((this.received / this.total) * 10);
  }
}
