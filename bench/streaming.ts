/**
 * Live transcription, measured in one run:
 *   (a) the raw engine's real-time factor (`pocketsphinx_batch` over the LibriVox clips) and the
 *       number of real-time streams it predicts for these cores (cores / RTF);
 *   (b) our stack with real-time-paced senders (20 ms frames) at growing session counts: p50/p95
 *       interim latency (audio sent → words shown), first-interim latency, end-of-utterance → final
 *       latency, and whether every final arrived; the largest count whose p95 interim latency stays
 *       under 500 ms with every final in, and its ratio to the prediction;
 *   (c) API server (and worker) memory with 1,000 idle open sessions.
 *
 *   npm run bench:streaming      (BENCH_MAX_SESSIONS=16, BENCH_IDLE_SESSIONS=1000)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { clipsWithPauses, librivoxClips } from '../test/support/speech-corpus.js';
import { StreamClient, type StreamMessage } from '../test/support/stream-client.js';
import { TestStack } from '../test/support/test-stack.js';

const CORES = availableParallelism();
const MAX_SESSIONS = Number(process.env.BENCH_MAX_SESSIONS ?? 16);
const IDLE_SESSIONS = Number(process.env.BENCH_IDLE_SESSIONS ?? 1000);
const MODEL = '/usr/share/pocketsphinx/model/en-us';
const BYTES_PER_SECOND = 32_000;
const FRAME_BYTES = 640;
const run = promisify(execFile);

/** `pocketsphinx_batch` over every clip in one process: seconds of decoding per second of audio. */
async function rawEngineRtf(dir: string): Promise<number> {
  const clips = librivoxClips();
  let audio = 0;
  for (const clip of clips) {
    const pcm = readFileSync(clip.wav).subarray(44);
    audio += pcm.length / BYTES_PER_SECOND;
    writeFileSync(join(dir, `${clip.id}.raw`), pcm);
  }
  writeFileSync(join(dir, 'ctl'), `${clips.map((clip) => clip.id).join('\n')}\n`);
  const startedAt = performance.now();
  await run('pocketsphinx_batch', [
    '-adcin', 'yes', '-cepdir', dir, '-cepext', '.raw', '-ctl', join(dir, 'ctl'),
    '-hmm', join(MODEL, 'en-us'), '-lm', join(MODEL, 'en-us.lm.bin'), '-dict', join(MODEL, 'cmudict-en-us.dict'),
    '-hyp', join(dir, 'hyp'), '-logfn', '/dev/null',
  ]);
  return (performance.now() - startedAt) / 1000 / audio;
}

interface SessionResult {
  readonly interim: number[];
  readonly firstInterim: number[];
  readonly finalLatency: number[];
  readonly complete: boolean;
}

/** One real-time-paced session; latencies in ms, measured against when the audio was sent. */
async function session(url: string, key: string, pcm: Buffer): Promise<SessionResult> {
  const client = await StreamClient.open(url, { authorization: `Token ${key}` });
  const startedAt = performance.now();
  const arrivals: { message: StreamMessage; at: number }[] = [];
  client.socket.on('message', (data) => arrivals.push({ message: JSON.parse(String(data)) as StreamMessage, at: performance.now() }));
  // Paced against the clock (not frame by frame), so timer drift does not slow the sender down.
  for (let offset = 0; offset < pcm.length; offset += FRAME_BYTES) {
    const due = startedAt + (offset / BYTES_PER_SECOND) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await delay(wait);
    client.socket.send(pcm.subarray(offset, offset + FRAME_BYTES));
  }
  client.send({ type: 'close_stream' });
  const { code } = await client.closed;
  const sentAt = (seconds: number): number => startedAt + seconds * 1000;
  const result: SessionResult = { interim: [], firstInterim: [], finalLatency: [], complete: code === 1000 };
  let utteranceHasInterim = false;
  for (const { message, at } of arrivals) {
    if (message.type !== 'transcription') continue;
    const latency = at - sentAt(Number(message.end));
    if (message.is_final === true) {
      if (message.is_last !== true) result.finalLatency.push(latency);
      utteranceHasInterim = false;
    } else {
      result.interim.push(latency);
      if (!utteranceHasInterim) result.firstInterim.push(latency);
      utteranceHasInterim = true;
    }
  }
  const finals = arrivals.filter(({ message }) => message.type === 'transcription' && message.is_final === true);
  return { ...result, complete: result.complete && finals.at(-1)?.message.is_last === true && finals.length >= 3 };
}

/** CPU seconds a process has used (user + system), from /proc (clock ticks of 1/100 s on Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Round {
  readonly sessions: number;
  readonly interimP50: number;
  readonly interimP95: number;
  readonly firstP50: number;
  readonly firstP95: number;
  readonly finalP50: number;
  readonly finalP95: number;
  readonly complete: boolean;
  /** Worker CPU seconds per second of audio streamed. */
  readonly workerCpu: number;
}

async function round(url: string, key: string, pcm: Buffer, sessions: number, workerPid: number): Promise<Round> {
  const cpuBefore = cpuSeconds(workerPid);
  const results = await Promise.all(Array.from({ length: sessions }, () => session(url, key, pcm)));
  const workerCpu = (cpuSeconds(workerPid) - cpuBefore) / ((sessions * pcm.length) / BYTES_PER_SECOND);
  const all = (pick: (result: SessionResult) => number[]): number[] => results.flatMap(pick);
  return {
    sessions,
    interimP50: percentile(all((r) => r.interim), 50),
    interimP95: percentile(all((r) => r.interim), 95),
    firstP50: percentile(all((r) => r.firstInterim), 50),
    firstP95: percentile(all((r) => r.firstInterim), 95),
    finalP50: percentile(all((r) => r.finalLatency), 50),
    finalP95: percentile(all((r) => r.finalLatency), 95),
    complete: results.every((result) => result.complete),
    workerCpu,
  };
}

const ms = (value: number): string => `${Math.round(value)} ms`.padStart(8);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stt-bench-stream-'));
  const stack = await TestStack.start({ workers: 0, apiEnv: { RATE_LIMIT_CONCURRENT: '100000', RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000' } });
  try {
    const rtf = await rawEngineRtf(dir);
    const predicted = CORES / rtf;
    // Room for every idle session on one worker: a session takes a live decoder only when its audio starts.
    const worker = await stack.startWorker({ ASR_STREAM_CAPACITY: String(Math.max(MAX_SESSIONS, IDLE_SESSIONS)), ASR_CAPACITY: String(CORES) });
    await stack.healthy();
    const url = `${stack.apiUrl.replace('http', 'ws')}/v1/listen/stream?punctuate=false`;
    const pcm = clipsWithPauses(dir, 3).pcm;
    console.log(`raw engine: RTF ${rtf.toFixed(3)} per core → predicts ${predicted.toFixed(1)} real-time streams on ${CORES} cores`);
    console.log(`each session: ${(pcm.length / BYTES_PER_SECOND).toFixed(1)} s of speech (3 utterances), real-time paced in 20 ms frames\n`);
    console.log('sessions  interim p50/p95     first interim p50/p95   EOU→final p50/p95     all finals  worker CPU s per audio s');
    const rounds: Round[] = [];
    for (let sessions = 1; sessions <= MAX_SESSIONS; sessions = sessions < 4 ? sessions + 1 : sessions + 2) {
      const result = await round(url, stack.licenseKey, pcm, sessions, worker.pid);
      rounds.push(result);
      console.log(
        `${String(sessions).padStart(8)}  ${ms(result.interimP50)}/${ms(result.interimP95)}  ${ms(result.firstP50)}/${ms(result.firstP95)}  ${ms(result.finalP50)}/${ms(result.finalP95)}  ${result.complete ? 'yes' : 'NO '}         ${result.workerCpu.toFixed(3)}`,
      );
      if (result.interimP95 >= 500 || !result.complete) break;
    }
    const best = [...rounds].reverse().find((result) => result.interimP95 < 500 && result.complete);
    const capacity = best?.sessions ?? 0;
    console.log(`\nlargest session count with p95 interim < 500 ms and every final: ${capacity}`);
    console.log(`predicted by the raw engine (cores / RTF): ${predicted.toFixed(1)}; ratio ${(capacity / predicted).toFixed(2)}`);
    const cpu = rounds[0]!.workerCpu;
    console.log(`each session costs the worker ${cpu.toFixed(3)} CPU s per audio s at 1 session (live pass + second pass), ` +
      `${(cpu / rtf).toFixed(1)}× the raw engine's RTF: at most ${(CORES / cpu).toFixed(1)} sessions fit these cores`);

    const rssMb = async (pid: number): Promise<number> => Number((await run('ps', ['-o', 'rss=', '-p', String(pid)])).stdout.trim()) / 1024;
    const apiBefore = await rssMb(stack.api.pid);
    const workerBefore = await rssMb(worker.pid);
    const idle: StreamClient[] = [];
    while (idle.length < IDLE_SESSIONS) {
      const batch = Math.min(50, IDLE_SESSIONS - idle.length);
      idle.push(...(await Promise.all(Array.from({ length: batch }, () => StreamClient.open(url, { authorization: `Token ${stack.licenseKey}` })))));
    }
    const keepalive = setInterval(() => idle.forEach((client) => client.send({ type: 'keepalive' })), 5000);
    await delay(5000);
    const apiAfter = await rssMb(stack.api.pid);
    const workerAfter = await rssMb(worker.pid);
    clearInterval(keepalive);
    const open = idle.filter((client) => client.socket.readyState === client.socket.OPEN).length;
    const perSession = (before: number, after: number): string => `${(((after - before) * 1024) / IDLE_SESSIONS).toFixed(0)} KB a session`;
    console.log(`\n${open} of ${IDLE_SESSIONS} idle sessions open (keepalive every 5 s)`);
    console.log(`API server RSS: ${apiBefore.toFixed(1)} MB before, ${apiAfter.toFixed(1)} MB with them (${perSession(apiBefore, apiAfter)})`);
    console.log(`worker RSS:     ${workerBefore.toFixed(1)} MB before, ${workerAfter.toFixed(1)} MB with them (${perSession(workerBefore, workerAfter)})`);
    for (const client of idle) client.socket.close();
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
