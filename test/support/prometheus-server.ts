import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { HostProcess } from './host-process.js';
import type { HostName, Hosts } from './hosts.js';
import { request, waitFor } from './http.js';

const EXAMPLE_DIR = new URL('../../deploy/prometheus/', import.meta.url);
const PORT = 9090;

interface ScrapeJob {
  job_name: string;
  scrape_interval?: string;
  static_configs: { targets: string[] }[];
}

export interface PrometheusOptions {
  readonly hosts: Hosts;
  readonly host: HostName;
  /** Each job of the shipped example by name, with the `host:port` targets it scrapes here. */
  readonly targets: Readonly<Record<string, readonly string[]>>;
  /** Every interval of the example (the seed's 30 s among them), scaled down for the drills. */
  readonly intervalS: number;
  /** What the example's `credentials_file: license.key` holds. */
  readonly licenseKey: string;
  /** Where its configuration and its data go. */
  readonly dir: string;
}

/**
 * Debian's Prometheus on one of the drills' hosts with the shipped example
 * (deploy/prometheus/prometheus.yml: the seed's /health job verbatim, every service's /metrics,
 * alerts.yml), its targets pointed at the hosts and its intervals scaled like the balancer's.
 */
export class PrometheusServer {
  private constructor(
    private readonly program: HostProcess,
    readonly url: string,
  ) {}

  static async start(options: PrometheusOptions): Promise<PrometheusServer> {
    const config = parse(readFileSync(new URL('prometheus.yml', EXAMPLE_DIR), 'utf8')) as {
      global: Record<string, string>;
      scrape_configs: ScrapeJob[];
    };
    const interval = `${options.intervalS}s`;
    config.global.scrape_interval = interval;
    config.global.evaluation_interval = interval;
    for (const job of config.scrape_configs) {
      const targets = options.targets[job.job_name];
      if (targets === undefined) throw new Error(`no targets for the example's job ${job.job_name}`);
      job.static_configs = [{ targets: [...targets] }];
      if (job.scrape_interval !== undefined) job.scrape_interval = interval;
    }
    writeFileSync(join(options.dir, 'prometheus.yml'), stringify(config));
    copyFileSync(new URL('alerts.yml', EXAMPLE_DIR), join(options.dir, 'alerts.yml'));
    writeFileSync(join(options.dir, 'license.key'), options.licenseKey, { mode: 0o600 });

    const address = `${options.hosts.address(options.host)}:${PORT}`;
    const program = new HostProcess(options.hosts, options.host, 'prometheus', [
      `--config.file=${join(options.dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(options.dir, 'prometheus-data')}`,
      `--web.listen-address=${address}`,
    ]);
    const server = new PrometheusServer(program, `http://${address}`);
    try {
      await waitFor('Prometheus to be ready', async () => ((await request(`${server.url}/-/ready`, { timeoutMs: 1000 })).status === 200 ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 250,
      });
    } catch (error) {
      await server.stop();
      throw new Error(`${(error as Error).message}\n${program.output.join('')}`);
    }
    return server;
  }

  /** The latest value of each series of an instant query, by its `instance` label. */
  async query(expr: string): Promise<Map<string, number>> {
    const { status, json } = await request(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`, { timeoutMs: 2000 });
    if (status !== 200) throw new Error(`Prometheus answered ${status} to ${expr}`);
    const series = json.data.result as { metric: Record<string, string>; value: [number, string] }[];
    return new Map(series.map(({ metric, value }) => [metric.instance ?? '', Number(value[1])]));
  }

  /** Waits until `expr` has `value` for `instance`; resolves with the time it was seen. */
  async until(expr: string, instance: string, value: number, timeoutMs = 30_000): Promise<number> {
    await waitFor(`Prometheus to say ${expr} is ${value} for ${instance}`, async () => ((await this.query(expr)).get(instance) === value ? true : undefined), {
      timeoutMs,
      intervalMs: 200,
    });
    return Date.now();
  }

  stop(): Promise<void> {
    return this.program.stop();
  }
}
