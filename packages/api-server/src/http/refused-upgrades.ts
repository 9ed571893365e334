import type { FastifyInstance } from 'fastify';

/**
 * Closes the socket of a WebSocket upgrade that was answered with an HTTP error (no key,
 * draining, …). The WebSocket plugin does this only for refusals after its own hooks ran; a
 * refusal by an earlier hook would leave the socket open, and a server that closes would wait
 * for it forever.
 */
export function closeRefusedUpgrades(app: FastifyInstance): void {
  app.addHook('onResponse', (request, _reply, done) => {
    if (request.headers.upgrade !== undefined) request.raw.socket.destroy();
    done();
  });
}
