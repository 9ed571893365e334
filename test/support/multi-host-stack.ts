import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPair, issueLicenseKey } from '@stt/license-proxy';
import { parseServerStatus } from './haproxy.js';
import { HostProcess } from './host-process.js';
import { Hosts, type HostName } from './hosts.js';
import { request, waitFor } from './http.js';
import { PrometheusServer } from './prometheus-server.js';
import { ServiceProcess } from './service-process.js';
import type { Env } from './test-stack.js';

const HAPROXY_EXAMPLE = new URL('../../deploy/haproxy/haproxy.cfg', import.meta.url);
/** The health-check page's 30 s check and scrape interval, scaled down for the drills (fall 3 × 2 s). */
export const CHECK_INTERVAL_S = 2;

export type ApiHost = 'api-1' | 'api-2';
export type AsrHost = 'asr-1' | 'asr-2';

const PORTS = { api: 7100, asr: 2233, proxy: 6699, redis: 6379, lb: 80, lbStats: 8404 } as const;

/**
 * The stack as it runs in production, one service per host (deploy/hosts/hosts.sh): Redis, the
 * license proxy, two workers advertising their own addresses, two API servers behind the shipped
 * HAProxy example and Prometheus with the shipped example scraping all of them (their intervals
 * scaled to `CHECK_INTERVAL_S`).
 */
export class MultiHostStack {
  readonly apis = new Map<ApiHost, ServiceProcess>();
  readonly workers = new Map<AsrHost, ServiceProcess>();
  proxy!: ServiceProcess;
  redis!: HostProcess;
  lb!: HostProcess;
  prometheus!: PrometheusServer;
  readonly licenseKey: string;
  private readonly publicKey: string;
  private readonly dir = mkdtempSync(join(tmpdir(), 'stt-hosts-'));

  private constructor(
    readonly hosts: Hosts,
    /** What every API server of this stack is started with on top of the wiring (the first and each restart). */
    private readonly apiEnv: Env,
  ) {
    const pair = generateSigningKeyPair();
    this.publicKey = pair.publicKey;
    this.licenseKey = issueLicenseKey(pair.privateKeyPem, { customer: 'multi-host', validDays: 2, limits: { requests_per_minute: 100_000, concurrent_requests: 1000 } });
  }

  static async start(apiEnv: Env = {}): Promise<MultiHostStack> {
    const stack = new MultiHostStack(await Hosts.up(), apiEnv);
    try {
      await stack.startRedis();
      await stack.startProxy();
      await Promise.all((['asr-1', 'asr-2'] as const).map((host) => stack.startWorker(host)));
      await Promise.all((['api-1', 'api-2'] as const).map((host) => stack.startApi(host)));
      stack.startLoadBalancer();
      const apis = [stack.apiInstance('api-1'), stack.apiInstance('api-2')];
      stack.prometheus = await PrometheusServer.start({
        hosts: stack.hosts,
        host: 'prom',
        targets: {
          'api-server-health': apis,
          'api-server': apis,
          'lightning-asr': [stack.asrInstance('asr-1'), stack.asrInstance('asr-2')],
          'license-proxy': [stack.instance('proxy', PORTS.proxy)],
        },
        intervalS: CHECK_INTERVAL_S,
        licenseKey: stack.licenseKey,
        dir: stack.dir,
      });
      await stack.allInRotation();
      return stack;
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }

  /** `address:port`, as Prometheus labels a target's series (`instance`). */
  instance(host: HostName, port: number): string {
    return `${this.hosts.address(host)}:${port}`;
  }

  url(host: HostName, port: number): string {
    return `http://${this.instance(host, port)}`;
  }

  apiInstance(host: ApiHost): string {
    return this.instance(host, PORTS.api);
  }

  asrInstance(host: AsrHost): string {
    return this.instance(host, PORTS.asr);
  }

  get lbUrl(): string {
    return this.url('lb', PORTS.lb);
  }

  apiUrl(host: ApiHost): string {
    return this.url(host, PORTS.api);
  }

  get redisUrl(): string {
    return `redis://${this.hosts.address('redis')}:${PORTS.redis}`;
  }

  private get commonEnv(): Env {
    return { REDIS_URL: this.redisUrl, LICENSE_PUBLIC_KEYS: this.publicKey };
  }

  async startRedis(): Promise<void> {
    this.redis = new HostProcess(this.hosts, 'redis', 'redis-server', [
      '--bind', this.hosts.address('redis'), '--port', String(PORTS.redis), '--protected-mode', 'no',
      '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', this.dir,
    ]);
    await waitFor('Redis to answer', async () => ((await this.redisPing()) ? true : undefined), { timeoutMs: 10_000 });
  }

  async startProxy(): Promise<void> {
    this.proxy = this.service('proxy', 'license-proxy', { ...this.commonEnv, PORT: String(PORTS.proxy), LICENSE_KEY: this.licenseKey });
    await this.proxy.waitForLog(/^Server listening on port/);
  }

  async startWorker(host: AsrHost): Promise<ServiceProcess> {
    const worker = this.service(host, 'lightning-asr', {
      ...this.commonEnv,
      ASR_PORT: String(PORTS.asr),
      ASR_ADVERTISE_URL: this.url(host, PORTS.asr),
      ASR_WORKER_ID: host,
    });
    this.workers.set(host, worker);
    await worker.waitForLog(/^Server ready on port/, 30_000);
    return worker;
  }

  async startApi(host: ApiHost): Promise<ServiceProcess> {
    const api = this.service(host, 'api-server', {
      ...this.commonEnv,
      API_SERVER_PORT: String(PORTS.api),
      API_BASE_URL: this.url('proxy', PORTS.proxy),
      // The customer's webhook receiver runs on this machine, which the hosts reach at the gateway.
      URL_FETCH_ALLOWED_HOSTS: this.hosts.gateway,
      ...this.apiEnv,
    });
    this.apis.set(host, api);
    await api.waitForLog(/^API server listening on port/);
    return api;
  }

  /** The shipped HAProxy example, with the drills' check interval. */
  private startLoadBalancer(): void {
    const config = join(this.dir, 'haproxy.cfg');
    writeFileSync(config, readFileSync(HAPROXY_EXAMPLE, 'utf8').replace('inter 30s', `inter ${CHECK_INTERVAL_S}s`));
    this.lb = new HostProcess(this.hosts, 'lb', 'haproxy', ['-db', '-f', config]);
  }

  /** Each API server's status as HAProxy sees it (`UP`, `DOWN`, `UP 1/3`, …). */
  async rotation(): Promise<Map<string, string>> {
    const { text } = await request(`${this.url('lb', PORTS.lbStats)}/stats;csv`, { timeoutMs: 2000 });
    return parseServerStatus(text, 'api-servers');
  }

  allInRotation(timeoutMs = 60_000): Promise<unknown> {
    return waitFor('HAProxy to route to both API servers', async () => {
      const rotation = await this.rotation();
      return rotation.get('api-1') === 'UP' && rotation.get('api-2') === 'UP' ? true : undefined;
    }, { timeoutMs, intervalMs: 250 });
  }

  /** Waits until api-1 counts exactly `count` ready workers in the registry. */
  workersReady(count: number): Promise<unknown> {
    return waitFor(`${count} ready workers`, async () => {
      const asr = await request(`${this.apiUrl('api-1')}/health/asr`);
      return asr.json?.workers_ready === count ? asr : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
  }

  private service(host: HostName, name: ServiceProcess['service'], env: Env): ServiceProcess {
    return new ServiceProcess(name, env, [], { netns: this.hosts.namespace(host) });
  }

  /** True when Redis answers PING on its host. */
  redisPing(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(PORTS.redis, this.hosts.address('redis'));
      socket.setTimeout(1000, () => socket.destroy());
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (reply) => {
        resolve(reply.toString().startsWith('+PONG'));
        socket.destroy();
      });
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
    });
  }

  async stop(): Promise<void> {
    const services = [...this.apis.values(), ...this.workers.values(), ...(this.proxy ? [this.proxy] : [])];
    await Promise.all(services.map((service) => service.kill()));
    await Promise.all([this.lb?.stop('SIGKILL'), this.redis?.stop('SIGKILL'), this.prometheus?.stop()]);
    await this.hosts.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
