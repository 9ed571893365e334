import type { Logger } from '../logging/logger.js';

/**
 * The bound of one shutdown step that needs Redis (closing a BullMQ queue or worker, whose
 * commands wait through reconnects): a Redis that is down must not hold a stop for longer.
 */
const CLOSE_TIMEOUT_MS = 2000;

/**
 * Waits for `close` to settle, at most CLOSE_TIMEOUT_MS; past that it logs `what` and returns, and
 * the caller goes on stopping (the process exits soon after, which ends the step anyway).
 */
export async function closeWithin(what: string, close: PromiseLike<unknown> | undefined, logger: Logger): Promise<void> {
  if (close === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS);
  });
  const settled = Promise.resolve(close).then(
    () => true,
    () => true,
  );
  const closed = await Promise.race([settled, timedOut]);
  clearTimeout(timer);
  if (!closed) logger.warn(`${what} did not close within ${CLOSE_TIMEOUT_MS} ms (Redis unreachable?); stopping without it`);
}
