import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * One JSON line per event on stdout: `level` as a word, ISO `time`, `service` naming the
 * process. Secrets that may ride along in objects or URLs are redacted. Written to stdout unless
 * `destination` says otherwise (a test reading what was logged).
 */
export function createLogger(service: string, level: LogLevel = 'info', options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const settings: LoggerOptions = {
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['licenseKey', 'license_key', 'req.headers.authorization', 'headers.authorization', '*.token'],
      censor: '[redacted]',
    },
    ...options,
  };
  return pino(settings, destination ?? stdoutDestination());
}

/**
 * Stdout, written line by line as each event happens. Synchronous, so nothing is left to flush at
 * exit: pino's exit flush of an asynchronous stdout retries a failed write without end, and a
 * process whose terminal or supervisor is gone (EPIPE, EIO) would hang on its last lines and
 * keep its port. A stdout that fails is given up: logging never stops a service, nor keeps it.
 */
function stdoutDestination(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: true });
  stream.on('error', () => {
    stream.write = () => true;
  });
  return stream;
}
