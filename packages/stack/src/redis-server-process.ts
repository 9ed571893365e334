import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface RedisServerOptions {
  readonly port: number;
  /** Working directory for redis-server. */
  readonly dir: string;
  readonly bind?: string;
}

/**
 * A local `redis-server` child: no persistence, loopback only. Used by the stack when no
 * REDIS_URL is given, and by the tests, which stop and restart it.
 */
export class RedisServerProcess {
  private child: ChildProcess | undefined;

  constructor(readonly options: RedisServerOptions) {}

  get url(): string {
    return `redis://${this.options.bind ?? '127.0.0.1'}:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts redis-server and resolves once it answers PING. */
  async start(timeoutMs = 10_000): Promise<void> {
    mkdirSync(this.options.dir, { recursive: true });
    const child = spawn(
      'redis-server',
      ['--port', String(this.options.port), '--bind', this.options.bind ?? '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.options.dir],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    this.child = child;
    const failed = new Promise<never>((_resolve, reject) => {
      child.once('error', (error) => reject(new Error(`cannot run redis-server: ${error.message}`)));
      child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} (is port ${this.options.port} free?)`)));
    });
    failed.catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await Promise.race([this.answersPing(), failed])) return;
      await delay(50);
    }
    throw new Error(`redis-server did not answer on port ${this.options.port} within ${timeoutMs} ms`);
  }

  /** Stops it (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Resolves when the process exits on its own (a crash). */
  exited(): Promise<number | null> {
    const child = this.child;
    if (!child) return Promise.resolve(null);
    if (child.exitCode !== null) return Promise.resolve(child.exitCode);
    return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  private answersPing(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.options.port, this.options.bind ?? '127.0.0.1');
      socket.setTimeout(500);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
  }
}
