import type { ModelCheckMessage } from './model-check-message.js';

/**
 * The body of a model check's child process (`forkModelCheck` starts it): runs `check`, which
 * loads the model and runs it once, tells the parent over IPC how that went, and exits.
 */
export function reportModelCheck(check: () => Promise<void>): void {
  check().then(
    () => report({ type: 'passed' }),
    (error: unknown) => report({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
}

function report(message: ModelCheckMessage): void {
  // Exit once the message is out: a native library may hold the event loop open.
  if (process.send) process.send(message, () => process.exit(message.type === 'passed' ? 0 : 1));
  else process.exit(2);
}
