import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { HostName, Hosts } from './hosts.js';

/**
 * A program that is not one of our services (redis-server, haproxy, prometheus) running on one of
 * the drills' hosts, with its output kept for a failure's report.
 */
export class HostProcess {
  readonly output: string[] = [];
  private readonly child: ChildProcess;

  constructor(hosts: Hosts, host: HostName, file: string, args: readonly string[]) {
    const [command, commandArgs] = hosts.command(host, file, args);
    this.child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) stream.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    await exited;
  }
}
