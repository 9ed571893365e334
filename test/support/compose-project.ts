import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandOutput, DockerEngine } from './docker-engine.js';
import { waitFor } from './http.js';

const COMPOSE_FILE = new URL('../../deploy/compose/docker-compose.yml', import.meta.url);

export interface ContainerState {
  readonly service: string;
  /** Docker's health verdict: `starting`, `healthy` or `unhealthy`. */
  readonly health: string;
  /** How often Docker restarted it (its restart policy at work). */
  readonly restarts: number;
  readonly startedAt: string;
}

/**
 * The repository's compose file as a user runs it: copied into a directory of its own with an
 * `.env` beside it, driven by Debian's docker-compose against the tests' engine.
 */
export class ComposeProject {
  readonly dir = mkdtempSync(join(tmpdir(), 'stt-compose-'));

  constructor(
    private readonly engine: DockerEngine,
    env: Readonly<Record<string, string>>,
  ) {
    copyFileSync(COMPOSE_FILE, join(this.dir, 'docker-compose.yml'));
    writeFileSync(join(this.dir, '.env'), Object.entries(env).map(([name, value]) => `${name}=${value}\n`).join(''));
  }

  compose(args: readonly string[], timeoutMs = 180_000): Promise<CommandOutput> {
    return this.engine.compose(this.dir, args, { timeoutMs });
  }

  async containers(): Promise<ContainerState[]> {
    const ids = (await this.compose(['ps', '-q'])).stdout.split('\n').filter(Boolean);
    if (ids.length === 0) return [];
    const format =
      '{{index .Config.Labels "com.docker.compose.service"}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.RestartCount}} {{.State.StartedAt}}';
    const { stdout } = await this.engine.docker(['inspect', '--format', format, ...ids]);
    return stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [service = '', health = '', restarts = '', startedAt = ''] = line.split(' ');
        return { service, health, restarts: Number(restarts), startedAt };
      });
  }

  /** Waits until every one of `services` is running and Docker calls it healthy. */
  allHealthy(services: readonly string[], timeoutMs = 240_000): Promise<ContainerState[]> {
    return waitFor(`${services.join(', ')} to be healthy`, async () => {
      const states = await this.containers();
      const healthy = new Set(states.filter((state) => state.health === 'healthy').map((state) => state.service));
      return services.every((service) => healthy.has(service)) ? states : undefined;
    }, { timeoutMs, intervalMs: 1000 });
  }

  /**
   * SIGKILLs the service's process from outside, as the OOM killer would (tini, PID 1, then exits
   * 137). Unlike `docker kill`, which counts as stopped by hand, this is what a restart policy answers.
   */
  async killService(service: string): Promise<void> {
    const id = (await this.compose(['ps', '-q', service])).stdout.trim();
    const init = Number((await this.engine.docker(['inspect', '--format', '{{.State.Pid}}', id])).stdout.trim());
    const [child] = readFileSync(`/proc/${init}/task/${init}/children`, 'utf8').trim().split(' ').map(Number);
    if (child === undefined || !Number.isInteger(child)) throw new Error(`${service}: no process under its init (pid ${init})`);
    process.kill(child, 'SIGKILL');
  }

  /** Each running service's memory use as `docker stats` reports it (`service 98.5MiB, …`). */
  async memoryUse(): Promise<string> {
    const ids = (await this.compose(['ps', '-q'])).stdout.split('\n').filter(Boolean);
    const { stdout } = await this.engine.docker(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}', ...ids]);
    return stdout
      .trim()
      .split('\n')
      .map((line) => line.replace(/^\S+?_(\S+)_\d+ (\S+) .*$/, '$1 $2'))
      .sort()
      .join(', ');
  }

  async logs(service: string): Promise<string> {
    return (await this.compose(['logs', '--no-color', service])).stdout;
  }

  /** Takes the project down with its volumes (whatever state it is in) and removes its directory. */
  async remove(): Promise<void> {
    await this.compose(['down', '--volumes', '--timeout', '5']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
