/**
 * `/health` throughput and latency: our API server (started by the stack launcher, all
 * components healthy) against a bare node:http server returning the same bytes, in one run.
 *
 *   npm run bench:health            (BENCH_DURATION_S=10 BENCH_CONNECTIONS=50 by default)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { freePort, freePortRange } from '../test/support/free-port.js';
import { request, waitForStatus } from '../test/support/http.js';
import { ServiceProcess } from '../test/support/service-process.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

interface Measured {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function measure(name: string, url: string): Promise<Measured> {
  // A short warm-up so neither side is measured while its JIT is still cold.
  await autocannon({ url, connections: CONNECTIONS, duration: 2 });
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** autocannon reports whole milliseconds: a baseline of 0 ms has no meaningful ratio. */
function latencyRatio(ours: number, bare: number): string {
  return bare === 0 ? `n/a (bare under 1 ms, ours ${ours} ms)` : `${(ours / bare).toFixed(2)}x`;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stt-bench-'));
  const apiPort = await freePort();
  const stack = new ServiceProcess('stack', {
    STACK_DATA_DIR: dataDir,
    API_SERVER_PORT: String(apiPort),
    ASR_PORT: String(await freePortRange(2)),
    LICENSE_PROXY_PORT: String(await freePort()),
    REDIS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  });
  const barePort = await freePort();
  const bare = spawn(process.execPath, [join(import.meta.dirname, 'bare-health-server.mjs')], {
    env: { PORT: String(barePort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const ours = `http://127.0.0.1:${apiPort}/health`;
    const baseline = `http://127.0.0.1:${barePort}/health`;
    await waitForStatus(ours, 200, 60_000);
    await once(bare.stdout!, 'data');
    const [oursBody, bareBody] = await Promise.all([request(ours), request(baseline)]);
    if (oursBody.text !== bareBody.text) throw new Error(`bodies differ: ${oursBody.text} vs ${bareBody.text}`);

    const results = [await measure('api-server /health', ours), await measure('bare node:http', baseline)];
    const [api, node] = results as [Measured, Measured];
    console.log(`\n/health, ${CONNECTIONS} connections, ${DURATION_S} s each, body ${oursBody.text}\n`);
    console.log('| server | req/s | p50 ms | p99 ms | non-2xx | errors |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const row of results) {
      console.log(`| ${row.name} | ${row.requestsPerSecond.toFixed(0)} | ${row.p50Ms} | ${row.p99Ms} | ${row.non2xx} | ${row.errors} |`);
    }
    console.log(
      `\nratio api-server / bare: throughput ${(api.requestsPerSecond / node.requestsPerSecond).toFixed(2)}x, ` +
        `p50 latency ${latencyRatio(api.p50Ms, node.p50Ms)}, p99 latency ${latencyRatio(api.p99Ms, node.p99Ms)}`,
    );
  } finally {
    bare.kill();
    stack.signal('SIGINT');
    await stack.exited();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
