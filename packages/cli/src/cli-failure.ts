import { SttError } from '@stt/client';

/** A failure the CLI reports as one line and exit status 1, without a stack trace. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliFailure';
  }
}

/** One line for the user: the server's code and request id when there was an answer. */
export function describeFailure(error: unknown): string {
  if (error instanceof SttError) {
    const where = error.requestId !== undefined ? ` (request ${error.requestId})` : '';
    return `${error.code}: ${error.message}${where}`;
  }
  return error instanceof Error ? error.message : String(error);
}
