import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError, bearerCredential, type ValidationAccepted } from '@stt/shared';
import { judgeLicenseKey } from '../auth/license-verdict.js';
import { parseInput } from '../http/parse-input.js';
import type { LicenseServerMetrics } from '../metrics.js';
import type { LicenseLedger } from '../store/license-ledger.js';

/** Who is asking; only logged. */
const validateBodySchema = z
  .object({ instance_id: z.string().max(256).optional(), version: z.string().max(64).optional() })
  .optional();

export interface ValidateRouteDependencies {
  readonly trustedKeys: readonly KeyObject[];
  readonly ledger: LicenseLedger;
  readonly metrics: LicenseServerMetrics;
}

/** `POST /v1/licenses/validate`: is the caller's license key good now? */
export function registerValidateRoute(app: FastifyInstance, { trustedKeys, ledger, metrics }: ValidateRouteDependencies): void {
  app.post('/v1/licenses/validate', async (request) => {
    const caller = parseInput(validateBodySchema, request.body, 'body') ?? {};
    const now = new Date();
    const verdict = judgeLicenseKey(bearerCredential(request.headers.authorization), trustedKeys, (id) => ledger.isRevoked(id), now);
    if (!verdict.ok) {
      metrics.countValidation(verdict.code);
      request.log.info({ license_id: verdict.licenseId, code: verdict.code, ...caller }, 'License refused');
      throw new ApiError(verdict.code, verdict.message);
    }
    const { claims } = verdict;
    metrics.countValidation('valid');
    request.log.info({ license_id: claims.license_id, customer: claims.customer, ...caller }, 'License validated');
    const accepted: ValidationAccepted = {
      valid: true,
      license_id: claims.license_id,
      customer: claims.customer,
      expires_at: claims.expires_at,
      checked_at: now.toISOString(),
    };
    return accepted;
  });
}
