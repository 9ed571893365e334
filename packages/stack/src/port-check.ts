import { createServer } from 'node:net';
import { isAddressInUse, portInUse } from '@stt/shared';

/** A port the stack is about to use, the variable that set it, and which service's it is when that helps. */
export interface PortClaim {
  readonly variable: string;
  readonly port: number;
  readonly detail?: string;
}

/**
 * Fails with one line naming the variable when a port the stack is about to use is taken, before
 * anything starts. Checked on loopback, which collides with listeners on loopback and on the
 * wildcard address alike; a service that still cannot bind (a port taken meanwhile) exits 78
 * and stops the stack all the same.
 */
export async function assertPortsFree(claims: readonly PortClaim[]): Promise<void> {
  for (const claim of claims) {
    const error = await tryListen(claim.port);
    if (error === undefined) continue;
    throw isAddressInUse(error) ? portInUse(claim.variable, claim.port, claim.detail) : error;
  }
}

function tryListen(port: number): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', resolve);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(undefined)));
  });
}
