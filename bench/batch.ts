/**
 * Batch transcription, side by side in one run:
 *   (a) throughput: the same files through our whole stack (one worker per core, requests in
 *       parallel) and through the raw engine (`pocketsphinx_batch`, one process per core);
 *   (b) word error rate of both on the five LibriVox clips;
 *   (c) our word error rate on the same clips joined into one long file, which the API server cuts
 *       at silences into segments: what the cutting costs in accuracy.
 *
 *   npm run bench:batch        (BENCH_ROUNDS=4: each clip sent that many times; BENCH_CONCURRENCY=4)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, freePortRange } from '../test/support/free-port.js';
import { waitForStatus } from '../test/support/http.js';
import { ServiceProcess } from '../test/support/service-process.js';
import { concatenatedLibrivox, librivoxClips, pocketsphinxBatch, setWer, type Clip } from '../test/support/speech-corpus.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const CORES = availableParallelism();
const MODEL = '/usr/share/pocketsphinx/model/en-us';
const run = promisify(execFile);

const audioSeconds = (clip: Clip): number => (readFileSync(clip.wav).length - 44) / 32000;

/** The raw engine: `pocketsphinx_batch` over the file list, split into one process per core. */
async function rawEngine(files: readonly Clip[], dir: string): Promise<number> {
  for (const clip of files) writeFileSync(join(dir, `${clip.id}.raw`), readFileSync(clip.wav).subarray(44));
  const lists = Array.from({ length: CORES }, (_, core) => files.filter((_, i) => i % CORES === core));
  const startedAt = performance.now();
  await Promise.all(
    lists.map((list, core) => {
      const ctl = join(dir, `ctl-${core}`);
      writeFileSync(ctl, `${list.map((clip) => clip.id).join('\n')}\n`);
      return run('pocketsphinx_batch', [
        '-adcin', 'yes', '-cepdir', dir, '-cepext', '.raw', '-ctl', ctl,
        '-hmm', join(MODEL, 'en-us'), '-lm', join(MODEL, 'en-us.lm.bin'), '-dict', join(MODEL, 'cmudict-en-us.dict'),
        '-hyp', join(dir, `hyp-${core}`), '-logfn', '/dev/null',
      ]);
    }),
  );
  return (performance.now() - startedAt) / 1000;
}

/** Our stack: every file as a `POST /v1/listen`, CONCURRENCY at a time. Returns wall seconds and texts. */
async function ourStack(files: readonly Clip[], apiUrl: string, licenseKey: string): Promise<{ seconds: number; texts: string[] }> {
  const texts: string[] = new Array(files.length);
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < files.length; i = next++) {
        const response = await fetch(`${apiUrl}/v1/listen?punctuate=false`, {
          method: 'POST',
          body: readFileSync(files[i]!.wav),
          headers: { authorization: `Token ${licenseKey}`, 'content-type': 'audio/wav' },
        });
        const body = (await response.json()) as { text?: string };
        if (response.status !== 200 || body.text === undefined) throw new Error(`request failed: ${response.status} ${JSON.stringify(body)}`);
        texts[i] = body.text;
      }
    }),
  );
  return { seconds: (performance.now() - startedAt) / 1000, texts };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stt-bench-batch-'));
  const clips = librivoxClips();
  const files = Array.from({ length: ROUNDS }, () => clips).flat();
  const totalAudio = files.reduce((sum, clip) => sum + audioSeconds(clip), 0);
  const apiPort = await freePort();
  const stack = new ServiceProcess('stack', {
    STACK_DATA_DIR: dir,
    ASR_WORKERS: String(CORES),
    API_SERVER_PORT: String(apiPort),
    ASR_PORT: String(await freePortRange(CORES)),
    LICENSE_PROXY_PORT: String(await freePort()),
    REDIS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    // The local key allows 60 requests a minute; the benchmark measures speed, not the limiter.
    RATE_LIMIT_REQUESTS_PER_MINUTE: '100000',
    RATE_LIMIT_CONCURRENT: '1000',
  });
  try {
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitForStatus(`${apiUrl}/health`, 200, 60_000);
    const licenseKey = readFileSync(join(dir, 'license.key'), 'utf8').trim();

    // Warm both paths once (page cache, JIT), then measure.
    await ourStack(clips.slice(0, 1), apiUrl, licenseKey);
    const ours = await ourStack(files, apiUrl, licenseKey);
    const rawSeconds = await rawEngine(files, dir);

    const oursWer = setWer(clips.map((clip, i) => ({ reference: clip.reference, hypothesis: ours.texts[i]! })));
    const baseline = pocketsphinxBatch(clips);
    const rawWer = setWer(clips.map((clip) => ({ reference: clip.reference, hypothesis: baseline.get(clip.id) ?? '' })));

    const long = concatenatedLibrivox(dir, 3);
    const longAnswer = await fetch(`${apiUrl}/v1/listen?punctuate=false`, {
      method: 'POST',
      body: readFileSync(long.wav),
      headers: { authorization: `Token ${licenseKey}`, 'content-type': 'audio/wav' },
    });
    const longBody = (await longAnswer.json()) as { text: string; metadata: { segments: number } };
    const longWer = setWer([{ reference: long.reference, hypothesis: longBody.text }]);

    const oursRate = totalAudio / ours.seconds;
    const rawRate = totalAudio / rawSeconds;
    console.log(`\nbatch: ${files.length} files, ${totalAudio.toFixed(1)} s of audio, ${CORES} cores; ours: ${CORES} workers, ${CONCURRENCY} requests in flight\n`);
    console.log('| path | wall s | audio s / wall s | WER (LibriVox, 5 clips) |');
    console.log('|---|---:|---:|---:|');
    console.log(`| our stack (POST /v1/listen) | ${ours.seconds.toFixed(2)} | ${oursRate.toFixed(2)} | ${oursWer.toFixed(3)} |`);
    console.log(`| raw engine (pocketsphinx_batch x${CORES}) | ${rawSeconds.toFixed(2)} | ${rawRate.toFixed(2)} | ${rawWer.toFixed(3)} |`);
    console.log(`\nratio ours / raw: throughput ${(oursRate / rawRate).toFixed(2)}x, WER ${(oursWer / rawWer).toFixed(2)}x`);
    console.log(
      `long file (the 5 clips x3 joined, ${longBody.metadata.segments} segments cut at silences): WER ${longWer.toFixed(3)} ` +
        `vs ${oursWer.toFixed(3)} clip by clip`,
    );
  } finally {
    stack.signal('SIGINT');
    await stack.exited();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
