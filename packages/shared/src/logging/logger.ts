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
  return destination === undefined ? pino(settings) : pino(settings, destination);
}
