import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireAdminToken } from '../auth/admin-auth.js';
import { faultsSchema, type FaultInjector } from '../faults.js';
import { parseInput } from '../http/parse-input.js';
import type { LicenseLedger } from '../store/license-ledger.js';

export interface AdminRouteDependencies {
  readonly adminToken: string;
  readonly ledger: LicenseLedger;
  readonly faults: FaultInjector;
}

const licenseParamsSchema = z.object({ license_id: z.string().min(1).max(256) });

/**
 * The operator's routes under `/v1/admin`, all behind ADMIN_TOKEN: revoke and reinstate a
 * license, read its usage, set the injected faults. Register in a scope of its own.
 */
export function registerAdminRoutes(scope: FastifyInstance, { adminToken, ledger, faults }: AdminRouteDependencies): void {
  requireAdminToken(scope, adminToken);

  scope.post('/v1/admin/licenses/:license_id/revoke', async (request) => {
    const { license_id } = parseInput(licenseParamsSchema, request.params, 'license_id');
    await ledger.setRevoked(license_id, true, new Date());
    request.log.info({ license_id }, 'License revoked');
    return { license_id, revoked: true };
  });

  scope.delete('/v1/admin/licenses/:license_id/revoke', async (request) => {
    const { license_id } = parseInput(licenseParamsSchema, request.params, 'license_id');
    await ledger.setRevoked(license_id, false, new Date());
    request.log.info({ license_id }, 'License reinstated');
    return { license_id, revoked: false };
  });

  scope.get('/v1/admin/usage/:license_id', async (request) => {
    const { license_id } = parseInput(licenseParamsSchema, request.params, 'license_id');
    return ledger.usageReport(license_id);
  });

  scope.put('/v1/admin/faults', async (request) => {
    faults.set(parseInput(faultsSchema, request.body ?? {}, 'body'));
    request.log.info(faults.current, 'Faults set');
    return faults.current;
  });
}
