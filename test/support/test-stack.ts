import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPair, issueLicenseKey, type IssueLicenseOptions } from '@stt/license-proxy';
import { RedisServerProcess } from '@stt/stack';
import { freePort } from './free-port.js';
import { request, waitFor, waitForStatus } from './http.js';
import { ServiceProcess } from './service-process.js';

/** Faster than the defaults so failures show within a second or two; the mechanisms are the same. */
export const FAST_TIMINGS = {
  HEALTH_PROBE_INTERVAL_MS: '250',
  ASR_HEARTBEAT_INTERVAL_MS: '250',
  ASR_HEARTBEAT_TTL_MS: '1500',
} as const;

export type Env = Record<string, string>;

/** Leases and locks short enough that a dead owner's work is taken over within seconds; the mechanisms are the defaults'. */
export const FAST_TAKEOVER = {
  /** API servers: callback job leases and webhook retries. */
  api: { CALLBACK_JOB_LEASE_MS: '2000', CALLBACK_INITIAL_BACKOFF_MS: '200' },
  /** Workers: the lock of a segment being decoded. */
  worker: { ASR_JOB_LOCK_MS: '2000' },
} as const;

/** No per-key limit a load test could reach. */
export const NO_KEY_LIMITS = { RATE_LIMIT_REQUESTS_PER_MINUTE: '100000', RATE_LIMIT_CONCURRENT: '1000' } as const;

/**
 * A whole stack of real processes on free ports: redis-server, the license proxy, ASR workers
 * and the API server, each reachable and killable on its own.
 */
export class TestStack {
  readonly workers: ServiceProcess[] = [];
  proxy!: ServiceProcess;
  api!: ServiceProcess;
  apiUrl = '';
  proxyUrl = '';
  readonly licenseKey: string;
  readonly publicKey: string;
  private readonly signingKeyPem: string;
  private readonly processes = new Set<ServiceProcess>();
  private readonly workerUrls = new Map<ServiceProcess, string>();

  private constructor(
    readonly redis: RedisServerProcess,
    private readonly dir: string,
  ) {
    const pair = generateSigningKeyPair();
    this.signingKeyPem = pair.privateKeyPem;
    this.publicKey = pair.publicKey;
    this.licenseKey = this.issueKey();
  }

  /**
   * Starts Redis (empty at each start unless `redisAppendOnly`), then (unless told otherwise) the
   * proxy, `workers` workers and the API server.
   */
  static async start(
    options: { workers?: number; proxy?: boolean; api?: boolean; apiEnv?: Env; redisAppendOnly?: boolean } = {},
  ): Promise<TestStack> {
    const dir = mkdtempSync(join(tmpdir(), 'stt-test-'));
    const redis = new RedisServerProcess({ port: await freePort(), dir, appendOnly: options.redisAppendOnly === true });
    await redis.start();
    const stack = new TestStack(redis, dir);
    if (options.proxy !== false) await stack.startProxy();
    await Promise.all(Array.from({ length: options.workers ?? 1 }, () => stack.startWorker()));
    if (options.api !== false) await stack.startApi(options.apiEnv);
    return stack;
  }

  issueKey(options: Partial<IssueLicenseOptions> = {}): string {
    return issueLicenseKey(this.signingKeyPem, { customer: 'test', validDays: 30, ...options });
  }

  get commonEnv(): Env {
    return { REDIS_URL: this.redis.url, LICENSE_PUBLIC_KEYS: this.publicKey, ...FAST_TIMINGS };
  }

  spawn(service: ServiceProcess['service'], env: Env, args: readonly string[] = []): ServiceProcess {
    const child = new ServiceProcess(service, env, args);
    this.processes.add(child);
    return child;
  }

  async startProxy(env: Env = {}, port?: number): Promise<ServiceProcess> {
    const proxyPort = port ?? (await freePort());
    this.proxyUrl = `http://127.0.0.1:${proxyPort}`;
    this.proxy = this.spawn('license-proxy', {
      ...this.commonEnv,
      PORT: String(proxyPort),
      HOST: '127.0.0.1',
      LICENSE_KEY: this.licenseKey,
      ...env,
    });
    await this.proxy.waitForLog(/^Server listening on port/);
    return this.proxy;
  }

  /** Starts a worker and waits for `readyLine` ("Server ready on port N" unless told otherwise). */
  async startWorker(env: Env = {}, readyLine: RegExp = /^Server ready on port/, timeoutMs = 30_000): Promise<ServiceProcess> {
    const port = await freePort();
    const worker = this.spawn('lightning-asr', {
      ...this.commonEnv,
      ASR_PORT: String(port),
      ASR_HOST: '127.0.0.1',
      ASR_ADVERTISE_URL: `http://127.0.0.1:${port}`,
      ASR_WORKER_ID: `test-${port}`,
      ...env,
    });
    this.workers.push(worker);
    this.workerUrls.set(worker, `http://127.0.0.1:${port}`);
    await worker.waitForLog(readyLine, timeoutMs);
    return worker;
  }

  /** The base URL of a worker this stack started. */
  workerUrl(worker: ServiceProcess): string {
    const url = this.workerUrls.get(worker);
    if (url === undefined) throw new Error(`not a worker of this stack: ${worker.service} (pid ${worker.pid})`);
    return url;
  }

  /** Starts the stack's API server (the one `apiUrl` names). */
  async startApi(env: Env = {}): Promise<ServiceProcess> {
    const { api, url } = await this.startReplica(env);
    this.api = api;
    this.apiUrl = url;
    return api;
  }

  /** Starts one more API server sharing the stack (other limits, say) and returns its base URL. */
  async startExtraApi(env: Env = {}): Promise<string> {
    return (await this.startReplica(env)).url;
  }

  /** Starts one more API server sharing the stack and returns its process (to kill) and base URL. */
  async startReplica(env: Env = {}): Promise<{ api: ServiceProcess; url: string }> {
    const port = await freePort();
    const api = this.spawn('api-server', {
      ...this.commonEnv,
      API_SERVER_PORT: String(port),
      API_SERVER_HOST: '127.0.0.1',
      API_BASE_URL: this.proxyUrl,
      ...env,
    });
    await api.waitForLog(/^API server listening on port/);
    return { api, url: `http://127.0.0.1:${port}` };
  }

  /** Waits until the API server's `/health` is 200 (components settle a probe interval after start). */
  healthy(): Promise<unknown> {
    return waitForStatus(`${this.apiUrl}/health`, 200);
  }

  /** Waits until the API server at `apiUrl` counts exactly `count` ready workers (the state a test needs, not a log line). */
  workersReady(count: number, apiUrl = this.apiUrl): Promise<unknown> {
    return waitFor(`${count} ready workers`, async () => {
      const asr = await request(`${apiUrl}/health/asr`);
      return asr.json.workers_ready === count ? asr : undefined;
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes].map((child) => child.kill()));
    await this.redis.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
