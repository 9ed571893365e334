import { Command } from 'commander';
import { clientFor, connectionFrom } from '../connection.js';
import { Doctor, SELF_TEST_CLIP } from '../doctor/doctor.js';
import { renderChecklist } from '../output/checklist.js';

interface DoctorFlags {
  readonly licenseUrl?: string;
  readonly logs: string[];
  readonly clip?: string;
  readonly url?: string;
  readonly apiKey?: string;
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('Find what is failing and how to fix it (the health page\'s Troubleshooting, as a checklist); exit status 1 on a problem.')
    .option('--license-url <url>', 'also ask the license proxy directly (env STT_LICENSE_URL)')
    .option('--logs <files...>', 'services\' JSON log files to scan for warnings and errors (- for standard input)', [])
    .option('--clip <file>', `audio for the test transcription (default ${SELF_TEST_CLIP} when present)`)
    .action(async (_flags: DoctorFlags, command: Command) => {
      const flags = command.optsWithGlobals<DoctorFlags>();
      const connection = connectionFrom(flags);
      // The doctor reports what it sees at once: a busy answer is a finding, not something to wait out.
      const client = clientFor(connection, { retry: { maxRetries: 0 }, timeoutMs: 60_000 });
      const checks = await new Doctor(client, {
        licenseUrl: flags.licenseUrl ?? process.env.STT_LICENSE_URL,
        logs: flags.logs,
        clip: flags.clip,
        hasApiKey: connection.apiKey !== undefined,
      }).run();
      process.stdout.write(renderChecklist(connection.url, checks));
      process.exitCode = checks.some((check) => check.status === 'fail') ? 1 : 0;
    });
}
