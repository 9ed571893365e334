import { Command } from 'commander';
import { VERSION } from '@stt/shared';
import { doctorCommand } from './commands/doctor-command.js';
import { healthCommand } from './commands/health-command.js';
import { licenseCommand } from './commands/license-command.js';
import { streamCommand } from './commands/stream-command.js';
import { transcribeCommand } from './commands/transcribe-command.js';
import { DEFAULT_URL } from './connection.js';

/** `stt` and its commands; the server and key are global flags (or `STT_URL`, `STT_API_KEY`/`LICENSE_KEY`). */
export function createProgram(): Command {
  const program = new Command('stt')
    .description('Command line of the self-hosted speech-to-text stack.')
    .version(VERSION)
    .option('--url <url>', `API server (env STT_URL, default ${DEFAULT_URL})`)
    .option('--api-key <key>', 'license key (env STT_API_KEY or LICENSE_KEY)')
    .showHelpAfterError();
  for (const command of [transcribeCommand(), streamCommand(), healthCommand(), doctorCommand(), licenseCommand()]) program.addCommand(command);
  return program;
}
