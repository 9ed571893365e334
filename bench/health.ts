/**
 * `/health` throughput and latency: our API server (started by the stack launcher, all
 * components healthy) against a bare node:http server returning the same bytes, in one run.
 * The two are measured in alternating rounds (ours first, then the bare server first, …), so
 * that load from other processes on a shared machine falls on both sides alike; the ratio is
 * the median of the rounds' ratios.
 *
 *   npm run bench:health            (BENCH_ROUNDS=3 BENCH_DURATION_S=5 BENCH_CONNECTIONS=50 by default)
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

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Seconds each side is measured in each round. */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

interface Measured {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function measure(url: string): Promise<Omit<Measured, 'name'>> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Every round's figures for one side, summed up: medians of the rates and latencies, totals of the failures. */
function summary(name: string, rounds: readonly Omit<Measured, 'name'>[]): Measured {
  return {
    name,
    requestsPerSecond: median(rounds.map((round) => round.requestsPerSecond)),
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
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

    // A short warm-up so neither side is measured while its JIT is still cold.
    for (const url of [ours, baseline]) await autocannon({ url, connections: CONNECTIONS, duration: 2 });
    const oursRounds: Omit<Measured, 'name'>[] = [];
    const bareRounds: Omit<Measured, 'name'>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        oursRounds.push(await measure(ours));
        bareRounds.push(await measure(baseline));
      } else {
        bareRounds.push(await measure(baseline));
        oursRounds.push(await measure(ours));
      }
    }
    const roundRatios = oursRounds.map((round, index) => round.requestsPerSecond / bareRounds[index]!.requestsPerSecond);
    const results = [summary('api-server /health', oursRounds), summary('bare node:http', bareRounds)];
    const [api, node] = results as [Measured, Measured];
    console.log(`\n/health, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s each, body ${oursBody.text}\n`);
    console.log('| server | req/s (median) | p50 ms | p99 ms | non-2xx | errors |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const row of results) {
      console.log(`| ${row.name} | ${row.requestsPerSecond.toFixed(0)} | ${row.p50Ms} | ${row.p99Ms} | ${row.non2xx} | ${row.errors} |`);
    }
    console.log(`\nthroughput ratio by round: ${roundRatios.map((ratio) => `${ratio.toFixed(2)}x`).join(', ')}`);
    console.log(
      `ratio api-server / bare: throughput ${median(roundRatios).toFixed(2)}x, ` +
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
