import type { KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, bearerCredential, checkLicenseKey, type LicenseClaims } from '@stt/shared';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route also takes the key as `?token=` (browsers cannot set WebSocket headers). */
    tokenInQuery?: boolean;
    /** Needs no key: documentation that holds no secrets (the health routes are answered before Fastify). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The verified license of the caller; set on every non-public route. */
    license?: LicenseClaims;
    /** The caller's key itself (the default HMAC key of its webhooks). */
    licenseKey?: string;
  }
}

/**
 * Requires `Authorization: Token <license key>` (or `Bearer`) on every route, unknown routes
 * included, so the route table cannot be probed without a key (health checks are answered
 * before Fastify). A key must be signed by a trusted public key and unexpired.
 */
export function registerLicenseAuth(app: FastifyInstance, trustedKeys: readonly KeyObject[]): void {
  app.addHook('onRequest', (request, _reply, done) => {
    done(request.routeOptions.config.public === true ? undefined : authenticate(request, trustedKeys));
  });
}

/** The caller's license on `request.license`, or the error to answer with. */
function authenticate(request: FastifyRequest, trustedKeys: readonly KeyObject[]): ApiError | undefined {
  const header = request.headers.authorization;
  const key = bearerCredential(header) ?? (request.routeOptions.config.tokenInQuery === true ? queryToken(request.query) : undefined);
  if (key === undefined) {
    request.log.warn(header === undefined ? 'Missing Authorization header' : 'Malformed Authorization header');
    return new ApiError('INVALID_LICENSE', 'Missing or malformed Authorization header; send "Authorization: Token <license key>".');
  }
  const check = checkLicenseKey(key, trustedKeys);
  if (check.ok) {
    request.license = check.claims;
    request.licenseKey = key;
    return undefined;
  }
  if (check.reason === 'expired') {
    request.log.warn({ license_id: check.claims.license_id }, 'License validation failed: expired');
    return new ApiError('LICENSE_EXPIRED', 'License expired', { expires_at: check.claims.expires_at });
  }
  request.log.warn(`Invalid license key from ${request.ip}`);
  return new ApiError('INVALID_LICENSE', 'Invalid license key');
}

function queryToken(query: unknown): string | undefined {
  if (typeof query !== 'object' || query === null || !('token' in query)) return undefined;
  return typeof query.token === 'string' && query.token !== '' ? query.token : undefined;
}
