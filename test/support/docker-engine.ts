import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './http.js';

const run = promisify(execFile);

/** Where the engine keeps its state; it persists between runs as the image build cache. */
const ROOT = process.env.STT_TEST_DOCKER_ROOT ?? '/var/lib/stt-test-docker';
/** A bridge of the tests' own, on a subnet nothing else here uses. */
const BRIDGE = { name: 'stt-docker0', address: '10.201.0.1/24' } as const;
/** Networks that compose creates come from here. */
const ADDRESS_POOL = 'base=10.202.0.0/16,size=24';

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly cwd?: string;
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Debian's Docker engine, started for the tests with its own data root, exec root, socket and
 * bridge, so it neither needs nor disturbs another engine on the machine; stopped afterwards.
 */
export class DockerEngine {
  readonly socket = join(ROOT, 'docker.sock');

  private constructor(private readonly daemon: ChildProcess) {}

  static async start(): Promise<DockerEngine> {
    if (process.getuid?.() !== 0) throw new Error('the container tests start dockerd, which needs root');
    mkdirSync(join(ROOT, 'data'), { recursive: true });
    await stopLeftoverDaemon();
    await ensureBridge();
    const log = openSync(join(ROOT, 'dockerd.log'), 'w');
    const daemon = spawn(
      'dockerd',
      [
        `--data-root=${join(ROOT, 'data')}`,
        `--exec-root=${join(ROOT, 'exec')}`,
        `--pidfile=${join(ROOT, 'dockerd.pid')}`,
        `--host=unix://${join(ROOT, 'docker.sock')}`,
        `--bridge=${BRIDGE.name}`,
        `--default-address-pool=${ADDRESS_POOL}`,
      ],
      { stdio: ['ignore', log, log] },
    );
    const engine = new DockerEngine(daemon);
    await waitFor('dockerd to answer', async () => ((await engine.docker(['version', '--format', '{{.Server.Version}}'])).stdout || undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    return engine;
  }

  /** The environment that points the docker and docker-compose clients at this engine. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: `unix://${this.socket}`, DOCKER_BUILDKIT: '0' };
  }

  docker(args: readonly string[], options: CommandOptions = {}): Promise<CommandOutput> {
    return this.command('docker', args, options);
  }

  compose(projectDir: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandOutput> {
    return this.command('docker-compose', args, { ...options, cwd: projectDir });
  }

  /** Runs a program with this engine's environment; rejects with its output when it fails. */
  async command(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandOutput> {
    try {
      return await run(file, [...args], {
        cwd: options.cwd,
        env: { ...this.env, ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 << 20,
      });
    } catch (error) {
      const failed = error as Error & Partial<CommandOutput>;
      throw new Error(`${file} ${args.join(' ')} failed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
    }
  }

  /** Stops the daemon (its data root stays, as the build cache) and removes its bridge. */
  async stop(): Promise<void> {
    if (this.daemon.exitCode === null) {
      this.daemon.kill('SIGTERM');
      await once(this.daemon, 'exit');
    }
    await run('ip', ['link', 'del', BRIDGE.name]).catch(() => undefined);
  }
}

/** A daemon a crashed run left behind would hold the data root; it is stopped first. */
async function stopLeftoverDaemon(): Promise<void> {
  const pidFile = join(ROOT, 'dockerd.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  await waitFor('the leftover dockerd to exit', async () => {
    try {
      process.kill(pid, 0);
      return undefined;
    } catch {
      return true;
    }
  }, { timeoutMs: 30_000, intervalMs: 200 });
}

async function ensureBridge(): Promise<void> {
  const { stdout } = await run('ip', ['-o', 'link', 'show']);
  if (stdout.includes(` ${BRIDGE.name}:`)) return;
  await run('ip', ['link', 'add', 'name', BRIDGE.name, 'type', 'bridge']);
  await run('ip', ['addr', 'add', BRIDGE.address, 'dev', BRIDGE.name]);
  await run('ip', ['link', 'set', BRIDGE.name, 'up']);
}
