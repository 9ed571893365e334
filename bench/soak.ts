/**
 * Soak: the whole stack (the launcher's Redis, license proxy, ASR workers and API server) under a
 * steady, bounded mixed load for a long time, to see what grows. The load: synchronous batch
 * requests of real speech, callback jobs delivered to a webhook receiver here, and live streams
 * of real speech paced in real time; every loop bounded in count and time. After a warm-up under
 * the same load, and again at the end, the load stops, nothing is left in flight, the stack idles
 * until the load's TTL'd records have expired, and every service's RSS and open file descriptors
 * (from /proc) and Redis's keys are sampled; a few samples are taken under load in between.
 * Printed: the samples, start → end with growth per hour (over 10 % of the start value flagged),
 * the load's outcomes and the services' warnings.
 *
 *   npm run bench:soak      (BENCH_SOAK_DURATION_S=1800, BENCH_SOAK_WARMUP_S=60, BENCH_SOAK_SETTLE_S=125,
 *                            BENCH_SOAK_SAMPLES=6, BENCH_SOAK_BATCH_CONCURRENCY=2, BENCH_SOAK_STREAMS=2,
 *                            BENCH_SOAK_CALLBACK_INTERVAL_S=10)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort, freePortRange } from '../test/support/free-port.js';
import { listenLocally, waitForStatus } from '../test/support/http.js';
import { ServiceProcess, type LogLine } from '../test/support/service-process.js';
import { clipsWithPauses, librivoxClips } from '../test/support/speech-corpus.js';
import { StreamClient, StreamRefused } from '../test/support/stream-client.js';

const DURATION_S = Number(process.env.BENCH_SOAK_DURATION_S ?? 1800);
const WARMUP_S = Number(process.env.BENCH_SOAK_WARMUP_S ?? 60);
const SAMPLES = Math.max(1, Number(process.env.BENCH_SOAK_SAMPLES ?? 6));
const BATCH_CONCURRENCY = Number(process.env.BENCH_SOAK_BATCH_CONCURRENCY ?? 2);
const STREAMS = Number(process.env.BENCH_SOAK_STREAMS ?? 2);
const CALLBACK_INTERVAL_S = Number(process.env.BENCH_SOAK_CALLBACK_INTERVAL_S ?? 10);
/** Idle time before the start and the end sample: the load's records kept by TTL expire meanwhile (job results 60 s, rate counters 120 s). */
const SETTLE_S = Number(process.env.BENCH_SOAK_SETTLE_S ?? 125);
const WORKERS = 2;
/** A figure that grew by more than this share of its start value is flagged. */
const FLAG_SHARE = 0.1;
/** Longest wait for one request, one stream's close, and for the webhooks still due after a phase. */
const REQUEST_BOUND_MS = 120_000;
const CLOSE_BOUND_MS = 60_000;
const WEBHOOK_BOUND_MS = 120_000;
/** Pause after each request of a batch loop (after a refusal: longer), so the load stays bounded. */
const THINK_MS = 1000;
const REFUSED_PAUSE_MS = 3000;
const BYTES_PER_SECOND = 32_000;
const FRAME_BYTES = 640;

/** What one phase's load got back. */
class Outcomes {
  readonly sync = new Map<string, number>();
  syncWithoutWords = 0;
  readonly callbackAnswers = new Map<string, number>();
  /** Accepted job ids, and how often a webhook arrived for each, by the status it reported. */
  readonly jobs = new Map<string, { deliveries: number; status?: string }>();
  readonly streams = new Map<string, number>();
  streamsWithoutLastFinal = 0;

  undelivered(): number {
    return [...this.jobs.values()].filter((job) => job.deliveries === 0).length;
  }
}

function increment(counts: Map<string, number>, key: string | number): void {
  counts.set(String(key), (counts.get(String(key)) ?? 0) + 1);
}

interface ServiceSample {
  readonly pid: number;
  readonly rssKb: number;
  readonly fds: number;
}

interface Sample {
  readonly label: string;
  readonly at: number;
  readonly services: Map<string, ServiceSample>;
  readonly redisKeys: number;
  readonly redisUsedMemory: number;
  readonly keyPatterns: Map<string, number>;
}

/** The launcher's children, named as the stack names them (workers by their port). */
function stackServices(launcherPid: number): Map<string, number> {
  const services = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== launcherPid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const pid = Number(entry);
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'redis-server') services.set('redis-server', pid);
      else if (cmdline.some((arg) => arg.includes('api-server'))) services.set('api-server', pid);
      else if (cmdline.some((arg) => arg.includes('license-proxy'))) services.set('license-proxy', pid);
      else if (cmdline.some((arg) => arg.includes('lightning-asr'))) {
        const port = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').find((variable) => variable.startsWith('ASR_PORT='));
        services.set(`lightning-asr :${port?.slice('ASR_PORT='.length) ?? pid}`, pid);
      }
    } catch {
      // The process went away while it was read.
    }
  }
  return services;
}

function processSample(pid: number): ServiceSample {
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { pid, rssKb: Number(rss?.[1] ?? Number.NaN), fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** A key's shape: segments that carry an id (a digit, or 16+ characters) become `*`. */
const keyPattern = (key: string): string =>
  key
    .split(':')
    .map((segment) => (/\d/.test(segment) || segment.length >= 16 ? '*' : segment))
    .join(':');

async function sample(label: string, launcherPid: number, redis: Redis): Promise<Sample> {
  const services = new Map<string, ServiceSample>();
  for (const [name, pid] of stackServices(launcherPid)) services.set(name, processSample(pid));
  const keyPatterns = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) increment(keyPatterns, keyPattern(key));
  } while (cursor !== '0');
  const memory = /^used_memory:(\d+)/m.exec(await redis.info('memory'));
  return { label, at: performance.now(), services, redisKeys: await redis.dbsize(), redisUsedMemory: Number(memory?.[1] ?? Number.NaN), keyPatterns };
}

/** Webhooks land here: each delivery counted against its job id (a repeated id is a duplicate). */
async function webhookReceiver(current: () => Outcomes): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      try {
        const payload = JSON.parse(body) as { job_id?: string; status?: string };
        const job = current().jobs.get(payload.job_id ?? '') ?? { deliveries: 0 };
        current().jobs.set(payload.job_id ?? 'unknown', { deliveries: job.deliveries + 1, status: payload.status ?? 'unknown' });
      } catch {
        current().jobs.set(`unparsable-${current().jobs.size}`, { deliveries: 1, status: 'unparsable' });
      }
      res.end();
    });
  });
  const url = `${await listenLocally(server)}/hook`;
  return { url, close: () => server.close() };
}

interface Load {
  readonly apiUrl: string;
  readonly key: string;
  readonly clips: readonly Buffer[];
  readonly callbackAudio: Buffer;
  readonly streamPcm: Buffer;
  readonly webhookUrl: string;
}

const post = (load: Load, body: Buffer, query: string) =>
  fetch(`${load.apiUrl}/v1/listen?punctuate=false${query}`, {
    method: 'POST',
    body,
    headers: { authorization: `Token ${load.key}`, 'content-type': 'audio/wav' },
    signal: AbortSignal.timeout(REQUEST_BOUND_MS),
  });

/** One loop of synchronous requests, the clips in turn, until `deadline` or `maxRequests`. */
async function batchLoop(load: Load, outcomes: Outcomes, deadline: number, maxRequests: number, offset: number): Promise<void> {
  for (let i = 0; i < maxRequests && Date.now() < deadline; i++) {
    let status: string;
    try {
      const response = await post(load, load.clips[(i + offset) % load.clips.length]!, '');
      const body = (await response.json()) as { text?: string };
      status = String(response.status);
      if (response.status === 200 && (body.text ?? '').trim() === '') outcomes.syncWithoutWords++;
    } catch (error) {
      status = `no answer (${(error as Error).name})`;
    }
    increment(outcomes.sync, status);
    await delay(status === '200' ? THINK_MS : REFUSED_PAUSE_MS);
  }
}

/** A callback job every CALLBACK_INTERVAL_S until `deadline`, at most `maxJobs`. */
async function callbackLoop(load: Load, outcomes: Outcomes, deadline: number, maxJobs: number): Promise<void> {
  for (let i = 0; i < maxJobs && Date.now() < deadline; i++) {
    const started = Date.now();
    try {
      const response = await post(load, load.callbackAudio, `&callback_url=${encodeURIComponent(load.webhookUrl)}`);
      const body = (await response.json()) as { job_id?: string };
      increment(outcomes.callbackAnswers, response.status);
      if (response.status === 202 && body.job_id !== undefined && !outcomes.jobs.has(body.job_id)) outcomes.jobs.set(body.job_id, { deliveries: 0 });
    } catch (error) {
      increment(outcomes.callbackAnswers, `no answer (${(error as Error).name})`);
    }
    await delay(Math.max(0, Math.min(started + CALLBACK_INTERVAL_S * 1000, deadline) - Date.now()));
  }
}

/** 20 ms frames, each sent when a microphone would have it (paced against the clock, so timers do not drift). */
async function sendInRealTime(client: StreamClient, pcm: Buffer): Promise<void> {
  const startedAt = performance.now();
  for (let offset = 0; offset < pcm.length && client.socket.readyState === client.socket.OPEN; offset += FRAME_BYTES) {
    const wait = startedAt + (offset / BYTES_PER_SECOND) * 1000 - performance.now();
    if (wait > 0) await delay(wait);
    client.socket.send(pcm.subarray(offset, offset + FRAME_BYTES));
  }
}

/** Live streams one after another: the speech paced in real time, then close_stream and its close. */
async function streamLoop(load: Load, outcomes: Outcomes, deadline: number, maxStreams: number): Promise<void> {
  const url = `${load.apiUrl.replace('http', 'ws')}/v1/listen/stream?punctuate=false`;
  for (let i = 0; i < maxStreams && Date.now() < deadline; i++) {
    let client: StreamClient;
    try {
      client = await StreamClient.open(url, { authorization: `Token ${load.key}` });
    } catch (error) {
      increment(outcomes.streams, error instanceof StreamRefused ? `refused ${error.status}` : `no upgrade (${(error as Error).message})`);
      await delay(REFUSED_PAUSE_MS);
      continue;
    }
    await sendInRealTime(client, load.streamPcm);
    if (client.socket.readyState === client.socket.OPEN) client.send({ type: 'close_stream' });
    const closed = await Promise.race([client.closed, delay(CLOSE_BOUND_MS).then(() => undefined)]);
    if (closed === undefined) client.socket.terminate();
    const error = client.messages.find((message) => message.type === 'error')?.code as string | undefined;
    const how = closed === undefined ? `no close within ${CLOSE_BOUND_MS / 1000} s` : `closed ${closed.code}`;
    increment(outcomes.streams, error === undefined ? how : `${how} (${error})`);
    if (client.finals().at(-1)?.is_last !== true) outcomes.streamsWithoutLastFinal++;
  }
}

/** The whole mix for `seconds`; resolves once every loop has stopped and the jobs' webhooks are in (bounded). */
async function runLoad(load: Load, outcomes: Outcomes, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  await Promise.all([
    ...Array.from({ length: BATCH_CONCURRENCY }, (_, i) => batchLoop(load, outcomes, deadline, Math.ceil(seconds) + 1, i)),
    callbackLoop(load, outcomes, deadline, Math.ceil(seconds / CALLBACK_INTERVAL_S) + 1),
    ...Array.from({ length: STREAMS }, () => streamLoop(load, outcomes, deadline, Math.ceil(seconds) + 1)),
  ]);
  const webhooksBy = Date.now() + WEBHOOK_BOUND_MS;
  while (outcomes.undelivered() > 0 && Date.now() < webhooksBy) await delay(250);
}

const mb = (kb: number): string => (kb / 1024).toFixed(1);
const whole = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

interface Figure {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly show: (value: number) => string;
  readonly note?: string;
}

function growthTable(start: Sample, end: Sample): { rows: string[]; flagged: number } {
  const figures: Figure[] = [];
  for (const [name, first] of [...start.services].sort(([a], [b]) => a.localeCompare(b))) {
    const last = end.services.get(name);
    const note = last === undefined ? 'gone at the end' : last.pid !== first.pid ? `RESTARTED (pid ${first.pid} → ${last.pid})` : undefined;
    figures.push({ name: `${name} RSS MB`, start: first.rssKb, end: last?.rssKb ?? Number.NaN, show: mb, ...(note ? { note } : {}) });
    figures.push({ name: `${name} open fds`, start: first.fds, end: last?.fds ?? Number.NaN, show: whole, ...(note ? { note } : {}) });
  }
  figures.push({ name: 'redis keys (DBSIZE)', start: start.redisKeys, end: end.redisKeys, show: whole });
  figures.push({ name: 'redis used_memory MB', start: start.redisUsedMemory, end: end.redisUsedMemory, show: (bytes) => mb(bytes / 1024) });
  for (const pattern of [...new Set([...start.keyPatterns.keys(), ...end.keyPatterns.keys()])].sort()) {
    figures.push({ name: `  keys ${pattern}`, start: start.keyPatterns.get(pattern) ?? 0, end: end.keyPatterns.get(pattern) ?? 0, show: whole });
  }
  const hours = (end.at - start.at) / 3_600_000;
  let flagged = 0;
  const rows = figures.map((figure) => {
    const growth = figure.end - figure.start;
    const share = figure.start === 0 ? (growth > 0 ? Number.POSITIVE_INFINITY : 0) : growth / figure.start;
    const flag = share > FLAG_SHARE;
    if (flag) flagged++;
    const shareText = Number.isFinite(share) ? `${(share * 100).toFixed(1)} %` : 'from 0';
    const mark = flag ? `GREW > ${FLAG_SHARE * 100} %` : '';
    return `| ${figure.name} | ${figure.show(figure.start)} | ${figure.show(figure.end)} | ${growth >= 0 ? '+' : ''}${figure.show(growth)} (${shareText}) | ${growth / hours >= 0 ? '+' : ''}${figure.show(growth / hours)} | ${[mark, figure.note ?? ''].filter(Boolean).join('; ')} |`;
  });
  return { rows, flagged };
}

function sampleRow(sample: Sample, origin: number, names: readonly string[]): string {
  const cells = names.map((name) => {
    const service = sample.services.get(name);
    return service === undefined ? '—' : `${mb(service.rssKb)} / ${service.fds}`;
  });
  return `| ${sample.label} | ${Math.round((sample.at - origin) / 1000)} | ${cells.join(' | ')} | ${sample.redisKeys} |`;
}

const counts = (map: Map<string, number>): string =>
  map.size === 0 ? 'none' : [...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => `${key}: ${count}`).join(', ');

/** The services' warnings and errors (the stack runs at LOG_LEVEL=warn), counted by service and message. */
function printWarnings(lines: readonly LogLine[]): void {
  const byMessage = new Map<string, number>();
  for (const line of lines) increment(byMessage, `${String(line.service ?? '?')} ${String(line.level ?? '?')}: ${String(line.msg ?? '')}`);
  if (byMessage.size === 0) console.log('  no warnings or errors logged');
  for (const [message, count] of [...byMessage.entries()].sort(([, a], [, b]) => b - a).slice(0, 15)) console.log(`  ${count} × ${message}`);
}

function printOutcomes(phase: string, outcomes: Outcomes): void {
  const delivered = [...outcomes.jobs.values()].filter((job) => job.deliveries > 0);
  const byStatus = new Map<string, number>();
  for (const job of delivered) increment(byStatus, job.status ?? 'unknown');
  const duplicates = delivered.reduce((sum, job) => sum + job.deliveries - 1, 0);
  console.log(`${phase}:`);
  console.log(`  sync requests: ${counts(outcomes.sync)}${outcomes.syncWithoutWords > 0 ? `; ${outcomes.syncWithoutWords} 200s without words` : ''}`);
  console.log(
    `  callback jobs: answered ${counts(outcomes.callbackAnswers)}; webhooks delivered for ${delivered.length} of ${outcomes.jobs.size} accepted ` +
      `(${counts(byStatus)}), duplicates ${duplicates}, not delivered within ${WEBHOOK_BOUND_MS / 1000} s ${outcomes.undelivered()}`,
  );
  console.log(`  live streams: ${counts(outcomes.streams)}${outcomes.streamsWithoutLastFinal > 0 ? `; ${outcomes.streamsWithoutLastFinal} without their last final` : ''}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stt-bench-soak-'));
  const apiPort = await freePort();
  const redisPort = await freePort();
  const stack = new ServiceProcess('stack', {
    STACK_DATA_DIR: dir,
    ASR_WORKERS: String(WORKERS),
    API_SERVER_PORT: String(apiPort),
    ASR_PORT: String(await freePortRange(WORKERS)),
    LICENSE_PROXY_PORT: String(await freePort()),
    REDIS_PORT: String(redisPort),
    LOG_LEVEL: 'warn',
    // The soak measures what grows, not the per-key limits.
    RATE_LIMIT_REQUESTS_PER_MINUTE: '100000',
    RATE_LIMIT_CONCURRENT: '1000',
    AUDIO_HOURS_PER_DAY: '1000000',
    URL_FETCH_ALLOWED_HOSTS: '127.0.0.1',
    // Callback job records are kept this long by design: short, so their count is steady within the warm-up.
    JOB_RESULT_TTL_S: '60',
  });
  let current = new Outcomes();
  const receiver = await webhookReceiver(() => current);
  const redis = new Redis({ port: redisPort, lazyConnect: true, maxRetriesPerRequest: 3 });
  try {
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitForStatus(`${apiUrl}/health`, 200, 60_000);
    await redis.connect();
    const clips = librivoxClips();
    const load: Load = {
      apiUrl,
      key: readFileSync(join(dir, 'license.key'), 'utf8').trim(),
      clips: clips.map((clip) => readFileSync(clip.wav)),
      callbackAudio: readFileSync(clips[0]!.wav),
      streamPcm: clipsWithPauses(dir, 2).pcm,
      webhookUrl: receiver.url,
    };
    console.log(
      `soak: ${DURATION_S} s measured after a ${WARMUP_S} s warm-up; ${WORKERS} workers; load: ${BATCH_CONCURRENCY} sync request loops ` +
        `(LibriVox clips, ${THINK_MS / 1000} s pause between requests), a callback job every ${CALLBACK_INTERVAL_S} s, ${STREAMS} live streams ` +
        `(${(load.streamPcm.length / BYTES_PER_SECOND).toFixed(1)} s of speech each, real-time paced) one after another`,
    );
    console.log(`warming up: ${WARMUP_S} s of the same load, so the start sample is taken with caches, JIT and decoders warm…`);
    const warmup = current;
    await runLoad(load, warmup, WARMUP_S);
    console.log(`idle ${SETTLE_S} s before the start sample, so what the warm-up left with a TTL has expired…`);
    await delay(SETTLE_S * 1000);
    const startedAt = performance.now();
    const samples = [await sample('start (idle)', stack.pid, redis)];
    const names = [...samples[0]!.services.keys()].sort();
    console.log(`sampling ${names.join(', ')} (pids ${names.map((name) => samples[0]!.services.get(name)!.pid).join(', ')})`);

    const logsBefore = stack.logs.length;
    const measured = (current = new Outcomes());
    const loadDone = runLoad(load, measured, DURATION_S);
    for (let i = 1; i < SAMPLES; i++) {
      await delay(Math.max(0, startedAt + (i * DURATION_S * 1000) / SAMPLES - performance.now()));
      samples.push(await sample(`under load`, stack.pid, redis));
    }
    await loadDone;
    const measuredLogs = stack.logs.slice(logsBefore);
    console.log(`idle ${SETTLE_S} s before the end sample…`);
    await delay(SETTLE_S * 1000);
    const end = await sample('end (idle)', stack.pid, redis);
    samples.push(end);

    console.log(`\nsamples (RSS MB / open fds; start and end taken with nothing in flight):\n`);
    console.log(`| sample | s | ${names.join(' | ')} | redis keys |`);
    console.log(`|---|---:|${names.map(() => '---:|').join('')}---:|`);
    for (const row of samples) console.log(sampleRow(row, samples[0]!.at, names));

    const { rows, flagged } = growthTable(samples[0]!, end);
    const elapsed = (end.at - samples[0]!.at) / 1000;
    console.log(`\nstart → end over ${(elapsed / 60).toFixed(1)} min (growth per hour extrapolated from it):\n`);
    console.log('| figure | start | end | growth | per hour | flag |');
    console.log('|---|---:|---:|---:|---:|---|');
    for (const row of rows) console.log(row);
    console.log(flagged === 0 ? `\nnothing grew by more than ${FLAG_SHARE * 100} % of its start value` : `\n${flagged} figure(s) FLAGGED: grew by more than ${FLAG_SHARE * 100} % of the start value`);
    console.log('\nload outcomes');
    printOutcomes(`  warm-up (${WARMUP_S} s)`, warmup);
    printOutcomes(`  measured (${DURATION_S} s)`, measured);
    console.log('\nwarnings and errors the services logged while measured');
    printWarnings(measuredLogs);
  } finally {
    redis.disconnect();
    receiver.close();
    const services = stackServices(stack.pid);
    stack.signal('SIGINT');
    await Promise.race([stack.exited(), delay(90_000)]);
    if (stack.running) {
      // A launcher killed outright would leave its services running: end them first, by pid.
      for (const pid of services.values()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await stack.kill();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
