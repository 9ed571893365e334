import { readFileSync } from 'node:fs';
import { freePort, freePortRange, nothingListensOn } from './free-port.js';
import { request, waitFor, waitForStatus } from './http.js';
import { ServiceProcess } from './service-process.js';
import { FAST_TIMINGS, type Env } from './test-stack.js';

/**
 * The stack launcher (`scripts/start.sh`) as a user runs it from a terminal: its own process
 * group, embedded defaults, two workers, every port a free one.
 */
export class LaunchedStack {
  readonly apiUrl: string;

  private constructor(
    readonly process: ServiceProcess,
    readonly env: Env,
  ) {
    this.apiUrl = `http://127.0.0.1:${env.API_SERVER_PORT}`;
  }

  /** The environment of a stack on free ports, keeping its data in `dataDir`. */
  static async env(dataDir: string, extra: Env = {}): Promise<Env> {
    return {
      ...FAST_TIMINGS,
      STACK_DATA_DIR: dataDir,
      API_SERVER_PORT: String(await freePort()),
      ASR_PORT: String(await freePortRange(2)),
      LICENSE_PROXY_PORT: String(await freePort()),
      REDIS_PORT: String(await freePort()),
      ...extra,
    };
  }

  /** Starts the launcher; `ready` waits for health 200 and both workers ready. */
  static async start(env: Env, { ready = true } = {}): Promise<LaunchedStack> {
    const stack = new LaunchedStack(new ServiceProcess('stack', env, [], { detached: true }), env);
    if (ready) await stack.ready();
    return stack;
  }

  async ready(): Promise<void> {
    await waitForStatus(`${this.apiUrl}/health`, 200, 60_000);
    // Healthy needs one ready worker; the second may still be loading.
    await waitFor('both workers ready', async () => {
      const asr = await request(`${this.apiUrl}/health/asr`);
      return asr.json.workers_ready === 2 ? asr : undefined;
    }, { timeoutMs: 30_000 });
  }

  /** Every port the stack listens on: API server, both workers, proxy, embedded Redis. */
  get ports(): number[] {
    const asr = Number(this.env.ASR_PORT);
    return [Number(this.env.API_SERVER_PORT), asr, asr + 1, Number(this.env.LICENSE_PROXY_PORT), Number(this.env.REDIS_PORT)];
  }

  /** Every process the launcher started, as their own log lines (and its line about Redis) name them. */
  get childPids(): number[] {
    const pids = new Set<number>();
    for (const line of this.process.logs) {
      if (typeof line.pid === 'number' && line.pid !== this.process.pid) pids.add(line.pid);
      if (typeof line.redis_pid === 'number') pids.add(line.redis_pid);
    }
    return [...pids];
  }

  /** The supervisor's lines, in order, as `msg` (its own, not the services'). */
  get supervisorMessages(): string[] {
    return this.process.logs.filter((line) => line.pid === this.process.pid).map((line) => String(line.msg));
  }

  /** How each service ended when the launcher stopped it (its `<name> stopped` lines), sorted by name. */
  get stops(): { service: string; code: unknown; signal: unknown }[] {
    return this.process.logs
      .filter((line) => line.pid === this.process.pid && 'code' in line && / stopped$/.test(String(line.msg)))
      .map((line) => ({ service: String(line.msg).replace(/ stopped$/, ''), code: line.code, signal: line.signal }))
      .sort((a, b) => a.service.localeCompare(b.service));
  }

  /** The services the launcher had to SIGKILL because they did not stop in time. */
  get kills(): string[] {
    return this.supervisorMessages.filter((msg) => /did not stop within/.test(msg));
  }

  /** Waits until every process it started is gone and every port is free. */
  async waitUntilNothingLeft(pids: readonly number[], timeoutMs = 20_000): Promise<void> {
    await waitFor('every process of the stack gone and every port free', async () => {
      const running = pids.filter((pid) => !processGone(pid));
      const listening = (await Promise.all(this.ports.map(async (port) => ((await nothingListensOn(port)) ? undefined : port)))).filter(
        (port) => port !== undefined,
      );
      if (running.length > 0 || listening.length > 0) throw new Error(`still running: [${running.join(', ')}]; still listening: [${listening.join(', ')}]`);
      return true;
    }, { timeoutMs });
  }
}

/** True when `pid` has exited (a zombie not yet reaped by its new parent counts as exited). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** `LaunchedStack.stops` when every service drained and exited 0 on its own. */
export const EVERY_SERVICE_STOPPED_CLEANLY = ['api-server', 'license-proxy', 'lightning-asr-1', 'lightning-asr-2'].map((service) => ({
  service,
  code: 0,
  signal: null,
}));
