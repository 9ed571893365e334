import type { ApiError } from '@stt/shared';
import type { StreamRelay } from './stream-relay.js';

/** The API server's live sessions, so a drain can wait for them and flush the last ones. */
export class LiveSessions {
  private readonly relays = new Set<StreamRelay>();

  get size(): number {
    return this.relays.size;
  }

  /** Tracks `relay` until its session ends. */
  add(relay: StreamRelay): void {
    this.relays.add(relay);
    void relay.finished.then(() => this.relays.delete(relay));
  }

  /** Ends every session at once with `error` and close 1008 (the license became unusable). */
  refuseAll(error: ApiError): void {
    for (const relay of this.relays) relay.refuse(error);
  }

  /** Ends every session still open: its last final flushed to the client, then close 1001. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.relays].map((relay) => relay.shutdown()));
  }
}
