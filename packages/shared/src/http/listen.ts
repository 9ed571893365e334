import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config/config-error.js';

/** Where a service listens, and the variable that chose the port (named when it is taken). */
export interface ListenTarget {
  readonly variable: string;
  readonly port: number;
  readonly host: string;
}

/** The one-line error for a port another process holds; restarting cannot help, so it is a ConfigError. */
export function portInUse(variable: string, port: number, detail = ''): ConfigError {
  return new ConfigError(variable, `port ${port}${detail} is already in use (another process listens on it)`);
}

export function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
}

/** Listens; a port already in use becomes a ConfigError naming its variable (exit 78, not a restart loop). */
export async function listenOn(app: FastifyInstance, target: ListenTarget): Promise<void> {
  try {
    await app.listen({ port: target.port, host: target.host });
  } catch (error) {
    throw isAddressInUse(error) ? portInUse(target.variable, target.port) : error;
  }
}
