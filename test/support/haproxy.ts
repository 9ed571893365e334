import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { request, waitFor } from './http.js';

export interface HaproxyOptions {
  /** Backend addresses as `host:port`, named `api0`, `api1`, … in that order. */
  readonly servers: readonly string[];
  /** The health check, as the HAProxy line after `option httpchk`. */
  readonly check: string;
  /** Check timing, as HAProxy `default-server` parameters. */
  readonly timing: string;
}

/**
 * Debian's HAProxy in the foreground on loopback, with a configuration written for the test: one
 * HTTP frontend balancing round-robin over the servers with active health checks, and a stats
 * page (CSV) that tells which servers HAProxy thinks are up.
 */
export class Haproxy {
  url = '';
  private statsUrl = '';
  private child: ChildProcess | undefined;
  private readonly stderr: string[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'stt-haproxy-'));

  constructor(private readonly options: HaproxyOptions) {}

  async start(): Promise<void> {
    const [frontPort, statsPort] = [await freePort(), await freePort()];
    this.url = `http://127.0.0.1:${frontPort}`;
    this.statsUrl = `http://127.0.0.1:${statsPort}/stats;csv`;
    const config = join(this.dir, 'haproxy.cfg');
    writeFileSync(
      config,
      [
        'global',
        '  maxconn 512',
        'defaults',
        '  mode http',
        '  timeout connect 2s',
        '  timeout client 120s',
        '  timeout server 120s',
        `frontend api`,
        `  bind 127.0.0.1:${frontPort}`,
        '  default_backend apis',
        'backend apis',
        '  balance roundrobin',
        `  option httpchk ${this.options.check}`,
        `  default-server ${this.options.timing}`,
        ...this.options.servers.map((address, index) => `  server api${index} ${address} check`),
        'frontend stats',
        `  bind 127.0.0.1:${statsPort}`,
        '  stats enable',
        '  stats uri /stats',
        '',
      ].join('\n'),
    );
    this.child = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.child.once('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`haproxy exited with code ${code}: ${this.stderr.join('')}\n`);
    });
  }

  /** Each server's status as HAProxy sees it (`UP`, `DOWN`, `UP 1/3`, …), by name. */
  async serverStatus(): Promise<Map<string, string>> {
    const { text } = await request(this.statsUrl, { timeoutMs: 2000 });
    return parseServerStatus(text, 'apis');
  }

  /** Waits until every server is `UP`. */
  allUp(): Promise<unknown> {
    return waitFor('HAProxy to see every server up', async () => {
      const statuses = await this.serverStatus();
      return statuses.size === this.options.servers.length && [...statuses.values()].every((status) => status === 'UP') ? true : undefined;
    });
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await once(this.child, 'exit');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The status of each server of `backend` in HAProxy's CSV stats (`UP`, `DOWN`, `UP 1/3`, …), by server name. */
export function parseServerStatus(csv: string, backend: string): Map<string, string> {
  const [header = '', ...rows] = csv.trim().split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const [name, proxy, status] = ['svname', 'pxname', 'status'].map((column) => columns.indexOf(column)) as [number, number, number];
  const statuses = new Map<string, string>();
  for (const row of rows.map((line) => line.split(','))) {
    if (row[proxy] === backend && row[name] !== 'BACKEND' && row[name] !== 'FRONTEND') statuses.set(row[name]!, row[status] ?? '');
  }
  return statuses;
}
