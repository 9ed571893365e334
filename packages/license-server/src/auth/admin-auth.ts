import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError, bearerCredential } from '@stt/shared';

/** Equal-length digests, so the comparison takes the same time whatever the caller sends. */
const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Requires `Authorization: Bearer <ADMIN_TOKEN>` on every route of `scope`. The shared error
 * table has no generic "unauthorized" code yet, so a refusal is 401 INVALID_LICENSE.
 */
export function requireAdminToken(scope: FastifyInstance, adminToken: string): void {
  const expected = digest(adminToken);
  scope.addHook('onRequest', (request, _reply, done) => {
    const given = bearerCredential(request.headers.authorization);
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return done();
    request.log.warn(`Admin request refused from ${request.ip}`);
    done(new ApiError('INVALID_LICENSE', 'Admin routes need "Authorization: Bearer <ADMIN_TOKEN>".'));
  });
}
