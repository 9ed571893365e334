import { Command } from 'commander';
import { issue, keygen } from '@stt/license-proxy';
import { licenseProxyHealthSchema, type LicenseProxyHealth } from '@stt/shared';
import { CliFailure } from '../cli-failure.js';
import { DEFAULT_LICENSE_URL } from '../connection.js';
import { positiveNumber } from '../options.js';
import { styledStatus } from '../output/status-style.js';
import { table } from '../output/table.js';

interface IssueFlags {
  readonly signingKey: string;
  readonly customer: string;
  readonly days: number;
  readonly features?: string;
  readonly requestsPerMinute?: number;
  readonly concurrent?: number;
  readonly audioHoursPerDay?: number;
}

/** The license proxy's own key commands (`license-proxy keygen|issue`), and the proxy's status. */
export function licenseCommand(): Command {
  const license = new Command('license').description('License keys and the license proxy.');
  license
    .command('keygen')
    .description('Create an Ed25519 signing key pair: DIR/signing.key (private) and DIR/signing.pub; prints the public key.')
    .requiredOption('-o, --out <dir>', 'where to write the pair')
    .action((flags: { out: string }) => keygen(flags.out));
  license
    .command('issue')
    .description('Print a new license key signed with the private key.')
    .requiredOption('-k, --signing-key <file>', 'the private key (signing.key)')
    .requiredOption('-c, --customer <name>', 'customer the key names')
    .option('-d, --days <n>', 'days the key is valid', positiveNumber, 365)
    .option('--features <list>', 'comma-separated features')
    .option('--requests-per-minute <n>', 'per-key request limit', positiveNumber)
    .option('--concurrent <n>', 'per-key concurrent requests', positiveNumber)
    .option('--audio-hours-per-day <n>', 'daily audio quota', positiveNumber)
    .action((flags: IssueFlags) =>
      issue({
        signingKeyFile: flags.signingKey,
        customer: flags.customer,
        validDays: flags.days,
        ...(flags.features !== undefined ? { features: flags.features.split(',').filter(Boolean) } : {}),
        ...(flags.requestsPerMinute !== undefined ? { requestsPerMinute: flags.requestsPerMinute } : {}),
        ...(flags.concurrent !== undefined ? { concurrentRequests: flags.concurrent } : {}),
        ...(flags.audioHoursPerDay !== undefined ? { audioHoursPerDay: flags.audioHoursPerDay } : {}),
      }),
    );
  license
    .command('status')
    .description("The license proxy's view of the license (its GET /health); exit status 1 when the license is not usable.")
    .option('--license-url <url>', `license proxy (env STT_LICENSE_URL, default ${DEFAULT_LICENSE_URL})`)
    .action(async (flags: { licenseUrl?: string }) => {
      const url = flags.licenseUrl ?? process.env.STT_LICENSE_URL ?? DEFAULT_LICENSE_URL;
      const { status, health } = await licenseProxyHealth(url);
      process.stdout.write(
        `${url}  ${styledStatus(health.status)}\n\n${table([
          ['license valid', String(health.license_valid)],
          ['valid until', health.valid_until ?? '-'],
          ['grace period', health.grace_period_active ? `active, ends ${health.grace_period_ends_at ?? '?'}` : 'not active'],
          ['license server', health.license_server],
          ['last validated', health.last_validated_at ?? '-'],
          ...(health.reason !== undefined ? [['reason', health.reason]] : []),
        ])}\n`,
      );
      process.exitCode = status === 200 ? 0 : 1;
    });
  return license;
}

/** The proxy's `/health`, validated; a CliFailure when it cannot be had. */
export async function licenseProxyHealth(url: string): Promise<{ status: number; health: LicenseProxyHealth }> {
  let response: Response;
  try {
    response = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
  } catch (error) {
    throw new CliFailure(`the license proxy at ${url} does not answer: ${(error as { cause?: Error }).cause?.message ?? String(error)}`);
  }
  const parsed = licenseProxyHealthSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new CliFailure(`${url}/health answered ${response.status} with a body that is not a license proxy's health`);
  return { status: response.status, health: parsed.data };
}
