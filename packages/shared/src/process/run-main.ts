import { ConfigError } from '../config/config-error.js';

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

/**
 * Calls `drain` once on the first SIGTERM or SIGINT, then exits with its status. A second signal
 * while draining exits at once.
 */
export function onShutdownSignal(drain: (signal: NodeJS.Signals) => Promise<number>): void {
  let draining = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (draining) process.exit(1);
    draining = true;
    drain(signal).then(
      (code) => process.exit(code),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
