import { ConfigError } from '../config/config-error.js';
import { onSupervisorGone } from './supervisor-watch.js';

/** Exit status for a configuration error (sysexits EX_CONFIG); supervisors do not restart on it. */
export const EXIT_CONFIG = 78;

/**
 * Runs a service's start-up. A configuration error prints one line and exits 78; any other
 * start-up failure prints one line (message only, no stack) and exits 1.
 */
export function runMain(service: string, start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: invalid configuration: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${service}: failed to start: ${message}\n`);
    process.exit(1);
  });
}

/** What set a shutdown going: a signal, or the supervisor's death. */
export type ShutdownCause = NodeJS.Signals | 'supervisor gone';

/**
 * How long a service whose supervisor died may take to stop. The rest of the stack is going down
 * with the supervisor, so work in flight cannot be finished anyway (callback jobs are resumed by
 * the next stack); the service stops taking work, deregisters and closes as on SIGTERM, but
 * exits after this whatever is left, so its port is free for the next stack within seconds.
 */
const ORPHAN_STOP_TIMEOUT_MS = 3000;

export interface ShutdownOptions {
  /** Called on a second signal, just before exiting at once (the stack kills its children here). */
  readonly onForcedExit?: () => void;
}

/**
 * Calls `drain` once on the first SIGTERM or SIGINT, or when the supervisor that started this
 * process dies (bounded by ORPHAN_STOP_TIMEOUT_MS), then exits with its status. A second signal
 * while draining exits at once.
 */
export function onShutdownSignal(drain: (cause: ShutdownCause) => Promise<number>, options: ShutdownOptions = {}): void {
  let draining = false;
  const start = (cause: ShutdownCause): void => {
    draining = true;
    drain(cause).then(
      (code) => process.exit(code),
      () => process.exit(1),
    );
  };
  const handle = (signal: NodeJS.Signals): void => {
    if (draining) {
      options.onForcedExit?.();
      process.exit(1);
    }
    start(signal);
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
  onSupervisorGone(() => {
    setTimeout(() => process.exit(1), ORPHAN_STOP_TIMEOUT_MS).unref();
    if (!draining) start('supervisor gone');
  });
}
