import { setTimeout as delay } from 'node:timers/promises';
import { Command } from 'commander';
import type { SttClient } from '@stt/client';
import { describeFailure } from '../cli-failure.js';
import { clientFor, connectionFrom } from '../connection.js';
import { positiveNumber } from '../options.js';
import { renderHealth } from '../output/health-table.js';

interface HealthFlags {
  readonly watch: boolean;
  readonly interval: number;
  readonly url?: string;
  readonly apiKey?: string;
}

/** Cursor home, then clear to the end: the table redrawn in place. */
const REDRAW = '\x1b[H\x1b[J';

export function healthCommand(): Command {
  return new Command('health')
    .description('Components and workers of the stack (GET /health?detailed=true); exit status 1 when unhealthy.')
    .option('-w, --watch', 'keep the table up to date until Ctrl-C', false)
    .option('-i, --interval <seconds>', 'seconds between updates with --watch', positiveNumber, 2)
    .action(async (_flags: HealthFlags, command: Command) => {
      const flags = command.optsWithGlobals<HealthFlags>();
      const connection = connectionFrom(flags);
      const client = clientFor(connection);
      if (!flags.watch) {
        const health = await client.detailedHealth();
        process.stdout.write(renderHealth(connection.url, health));
        process.exitCode = health.status === 'healthy' ? 0 : 1;
        return;
      }
      await watch(client, connection.url, flags.interval);
    });
}

async function watch(client: SttClient, url: string, intervalSeconds: number): Promise<never> {
  for (;;) {
    const shown = await client.detailedHealth().then(
      (health) => renderHealth(url, health),
      (error: unknown) => `${url}  unreachable: ${describeFailure(error)}\n`,
    );
    process.stdout.write(`${REDRAW}${shown}\n${new Date().toISOString()}  every ${intervalSeconds} s, Ctrl-C to stop\n`);
    await delay(intervalSeconds * 1000);
  }
}
