import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger, ENGINE_SAMPLE_RATE } from '@stt/shared';
import { serviceEntry } from '@stt/stack';
import { loadConfig } from '../packages/lightning-asr/src/config.js';
import { checkEmbeddingModel, checkSegmentationModel } from '../packages/lightning-asr/src/diarization/diarization-model-check.js';
import { embeddedTurns } from '../packages/lightning-asr/src/diarization/embedded-turns.js';
import { loadSpeakerEvidenceExtractor } from '../packages/lightning-asr/src/diarization/load-speaker-evidence-extractor.js';
import { onnxModelFile } from '../packages/lightning-asr/src/diarization/onnx-model-file.js';
import { sherpaOnnxEvidenceExtractor } from '../packages/lightning-asr/src/diarization/sherpa-onnx-evidence-extractor.js';
import { bundledSileroVadModelPath } from '../packages/lightning-asr/src/engine/vad/silero-vad-model.js';
import { request, waitFor } from './support/http.js';
import { ModelOrigin } from './support/model-origin.js';
import type { ServiceProcess } from './support/service-process.js';
import { TestStack } from './support/test-stack.js';

/**
 * The neural diarizer (sherpa-onnx, with the operator's segmentation and speaker-embedding models).
 * No diarization model can be downloaded on this machine, so what is tested is everything short
 * of diarizing with one: the configuration, the download, checksum and cache path, the model
 * check in a child process, and the worker staying up, unhealthy with a reason, when it fails.
 * The bundled Silero VAD stands in for a real ONNX model that is not a diarization model.
 */

const SILERO_VAD = bundledSileroVadModelPath();
const NOT_ONNX = Buffer.from('This is a text file, not an ONNX model.\n'.repeat(64));
const CHECK_TIMEOUT_MS = 60_000;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('one diarization model without the other: the worker refuses to start, naming the variable', () => {
  /** Runs the worker with `env`: it must exit before it listens or connects. */
  function start(env: Record<string, string>) {
    const result = spawnSync(process.execPath, [serviceEntry('lightning-asr')], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 10_000 });
    return { code: result.status, stderr: result.stderr.trim() };
  }

  const cases: [Record<string, string>, RegExp][] = [
    [
      { DIARIZATION_SEGMENTATION_MODEL_URL: 'https://example.invalid/segmentation.onnx' },
      /^lightning-asr: invalid configuration: DIARIZATION_EMBEDDING_MODEL_URL: the neural diarizer needs a speaker-embedding model too, as DIARIZATION_SEGMENTATION_MODEL_URL is set: set DIARIZATION_EMBEDDING_MODEL_URL \(or DIARIZATION_EMBEDDING_MODEL_PATH for a local file\), or unset DIARIZATION_SEGMENTATION_MODEL_URL for the default diarizer$/,
    ],
    [
      { DIARIZATION_EMBEDDING_MODEL_PATH: '/models/embedding.onnx' },
      /^lightning-asr: invalid configuration: DIARIZATION_SEGMENTATION_MODEL_URL: the neural diarizer needs a segmentation model too, as DIARIZATION_EMBEDDING_MODEL_PATH is set: set DIARIZATION_SEGMENTATION_MODEL_URL \(or DIARIZATION_SEGMENTATION_MODEL_PATH for a local file\), or unset DIARIZATION_EMBEDDING_MODEL_PATH for the default diarizer$/,
    ],
    [
      { DIARIZATION_SEGMENTATION_MODEL_URL: 'https://example.invalid/s.onnx', DIARIZATION_SEGMENTATION_MODEL_PATH: '/s.onnx', DIARIZATION_EMBEDDING_MODEL_PATH: '/e.onnx' },
      /^lightning-asr: invalid configuration: DIARIZATION_SEGMENTATION_MODEL_PATH: set DIARIZATION_SEGMENTATION_MODEL_URL or DIARIZATION_SEGMENTATION_MODEL_PATH, not both$/,
    ],
    [
      { DIARIZATION_SEGMENTATION_MODEL_PATH: '/s.onnx', DIARIZATION_EMBEDDING_MODEL_PATH: '/e.onnx', DIARIZATION_EMBEDDING_MODEL_SHA256: 'abc' },
      /^lightning-asr: invalid configuration: DIARIZATION_EMBEDDING_MODEL_SHA256: expected 64 hexadecimal digits$/,
    ],
    [
      { DIARIZATION_SEGMENTATION_MODEL_URL: 'ftp://example.invalid/s.onnx', DIARIZATION_EMBEDDING_MODEL_PATH: '/e.onnx' },
      /^lightning-asr: invalid configuration: DIARIZATION_SEGMENTATION_MODEL_URL: expected a URL starting with http:\/\/ or https:\/\/ or file:\/\//,
    ],
  ];
  for (const [env, line] of cases) {
    test(JSON.stringify(env), () => {
      const { code, stderr } = start(env);
      assert.equal(code, 78, stderr);
      assert.match(stderr, line);
    });
  }
});

describe('diarization models that cannot be used leave the worker up, unhealthy, with a reason naming the variable', () => {
  let stack: TestStack;
  let origin: ModelOrigin;
  const dir = mkdtempSync(join(tmpdir(), 'stt-neural-diarizer-'));
  const vad = readFileSync(SILERO_VAD);

  before(async () => {
    stack = await TestStack.start({ workers: 0, proxy: false, api: false });
    origin = await ModelOrigin.start();
    origin.serve('/segmentation.onnx', vad);
    origin.serve('/embedding.onnx', vad);
    origin.serve('/text/segmentation.onnx', NOT_ONNX);
    origin.serve('/text/embedding.onnx', NOT_ONNX);
  });
  after(async () => {
    await stack?.stop();
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A PocketSphinx worker with `env`, once it has logged `reason` and its /health says it is unhealthy. */
  async function failingWorker(env: Record<string, string>, reason: RegExp): Promise<{ worker: ServiceProcess; reason: string }> {
    const cacheDir = mkdtempSync(join(dir, 'cache-'));
    const worker = await stack.startWorker({ MODEL_CACHE_DIR: cacheDir, MODEL_DOWNLOAD_RETRIES: '0', ...env }, reason, 60_000);
    const health = await waitFor('the worker to say it is unhealthy', async () => {
      const answer = await request(`${stack.workerUrl(worker)}/health`);
      return answer.json.status === 'unhealthy' ? answer : undefined;
    });
    assert.equal(health.status, 503);
    const text = String(health.json.reason);
    assert.match(text, reason);
    assert.doesNotMatch(text, /\n/, 'one line, not a stack trace');
    assert.equal((await request(`${stack.workerUrl(worker)}/health/live`)).status, 200, 'the process lives on: no crash, no restart loop');
    assert.ok(worker.running);
    return { worker, reason: text };
  }

  test('a wrong DIARIZATION_SEGMENTATION_MODEL_SHA256: the checksum mismatch, the URL and the variable', async () => {
    const wrong = 'ab'.repeat(32);
    const { worker } = await failingWorker(
      {
        DIARIZATION_SEGMENTATION_MODEL_URL: origin.url('/segmentation.onnx'),
        DIARIZATION_SEGMENTATION_MODEL_SHA256: wrong,
        DIARIZATION_EMBEDDING_MODEL_URL: origin.url('/embedding.onnx'),
        DIARIZATION_EMBEDDING_MODEL_SHA256: sha256(vad),
      },
      new RegExp(
        `^The segmentation model of DIARIZATION_SEGMENTATION_MODEL_URL could not be had: Failed to download model: checksum mismatch \\(expected ${wrong}, got ${sha256(vad)}\\) from ${escape(origin.url('/segmentation.onnx'))} after 1 attempt$`,
      ),
    );
    await worker.kill();
  });

  test('files that are not ONNX, downloaded and verified: the model check in a child process says so, the worker does not crash', async () => {
    const { worker, reason } = await failingWorker(
      {
        DIARIZATION_SEGMENTATION_MODEL_URL: origin.url('/text/segmentation.onnx'),
        DIARIZATION_EMBEDDING_MODEL_URL: origin.url('/text/embedding.onnx'),
        DIARIZATION_EMBEDDING_MODEL_SHA256: sha256(NOT_ONNX),
      },
      /^The speaker-embedding model of DIARIZATION_EMBEDDING_MODEL_URL failed its check \(sherpa-onnx takes a 3D-Speaker, NeMo or WeSpeaker model exported for it\): The sherpa-onnx library crashed \(SIGABRT\) while loading the speaker-embedding model \S+-embedding\.onnx: .*Protobuf parsing failed\.$/,
    );
    assert.ok(worker.logs.some((line) => line.msg === 'Checking the diarization models in a child process'));
    assert.ok(!worker.logs.some((line) => line.msg === 'Model loaded successfully'), 'no work is taken: the worker is not ready');
    assert.match(reason, new RegExp(escape(dir)), 'the file checked is the downloaded one, in MODEL_CACHE_DIR');
    await worker.kill();
  });

  test('the bundled Silero VAD (ONNX, but no diarization model) as both models: the child-process check names the embedding model', async () => {
    const { worker } = await failingWorker(
      { DIARIZATION_SEGMENTATION_MODEL_PATH: SILERO_VAD, DIARIZATION_EMBEDDING_MODEL_PATH: SILERO_VAD, DIARIZATION_EMBEDDING_MODEL_SHA256: sha256(vad) },
      new RegExp(
        `^The speaker-embedding model of DIARIZATION_EMBEDDING_MODEL_PATH failed its check \\(.*\\): The sherpa-onnx library (crashed \\(SIG[A-Z]+\\)|exited with code \\d+) while loading the speaker-embedding model ${escape(SILERO_VAD)}: .*Unknown model type for speaker embedding extractor!$`,
      ),
    );
    await worker.kill();
  });

  test('a missing DIARIZATION_SEGMENTATION_MODEL_PATH: "not found", before any check', async () => {
    const missing = join(dir, 'no-such-segmentation.onnx');
    const { worker } = await failingWorker(
      { DIARIZATION_SEGMENTATION_MODEL_PATH: missing, DIARIZATION_EMBEDDING_MODEL_PATH: SILERO_VAD },
      new RegExp(`^The segmentation model of DIARIZATION_SEGMENTATION_MODEL_PATH could not be had: Model file not found: ${escape(missing)}$`),
    );
    assert.ok(!worker.logs.some((line) => line.msg === 'Checking the diarization models in a child process'));
    await worker.kill();
  });
});

describe('the diarization model check, stage by stage, in child processes', { concurrency: true }, () => {
  test('the Silero VAD as the segmentation model: sherpa-onnx ends the child, and the reason says what it missed', async () => {
    // With a real embedding model this is the stage that fails; the embedding model is not loaded before it.
    const result = await checkSegmentationModel({ segmentation: SILERO_VAD, embedding: SILERO_VAD }, { timeoutMs: CHECK_TIMEOUT_MS });
    assert.ok(!result.ok);
    assert.match(result.reason, new RegExp(`^The sherpa-onnx library exited with code 255 while loading the segmentation model ${escape(SILERO_VAD)}: .*'sample_rate' does not exist in the metadata$`));
  });

  test('a text file as the segmentation model: the abort and onnxruntime\'s words', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stt-diarization-check-')), 'segmentation.onnx');
    writeFileSync(file, NOT_ONNX);
    const result = await checkSegmentationModel({ segmentation: file, embedding: SILERO_VAD }, { timeoutMs: CHECK_TIMEOUT_MS });
    assert.ok(!result.ok);
    assert.match(result.reason, new RegExp(`^The sherpa-onnx library crashed \\(SIGABRT\\) while loading the segmentation model ${escape(file)}: .*Protobuf parsing failed\\.$`));
    rmSync(file);
  });

  test('a check past its timeout is killed: "timed out"', async () => {
    // Loading onnxruntime alone takes longer than 1 ms.
    assert.deepEqual(await checkEmbeddingModel({ segmentation: SILERO_VAD, embedding: SILERO_VAD }, { timeoutMs: 1 }), { ok: false, reason: 'Model check timed out after 0.001 s' });
  });
});

test('without diarization models the worker diarizes with the model-free MFCC extractor', async () => {
  const extractor = await loadSpeakerEvidenceExtractor(loadConfig({}), createLogger('neural-diarizer-test', 'silent'), 1);
  try {
    assert.equal(extractor.name, 'mfcc-ward');
  } finally {
    await extractor.close();
  }
});

test('the sherpa-onnx extractor diarizes in a worker thread: a model file gone since its check is a rejected segment, not a crash', async () => {
  const gone = join(tmpdir(), 'stt-no-such-diarization-model');
  const extractor = sherpaOnnxEvidenceExtractor({ segmentation: `${gone}/segmentation.onnx`, embedding: `${gone}/embedding.onnx` }, 1);
  try {
    assert.equal(extractor.name, 'sherpa-onnx');
    // sherpa-onnx's words for a missing file (its stderr says which): the thread ran the task and sherpa-onnx.
    await assert.rejects(extractor.extract(new Int16Array(ENGINE_SAMPLE_RATE), 12), { message: 'Please check your config!' });
  } finally {
    await extractor.close();
  }
});

describe('a diarization model given as an unpacked archive: its .onnx file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stt-onnx-folder-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the one .onnx in the folder; model.onnx beside model.int8.onnx (sherpa-onnx\'s pyannote archive); none: an error naming the folder', async () => {
    const single = join(dir, 'single');
    mkdirSync(single);
    writeFileSync(join(single, 'README.md'), 'readme');
    writeFileSync(join(single, 'nemo_en_titanet_small.onnx'), NOT_ONNX);
    assert.equal(await onnxModelFile(single), join(single, 'nemo_en_titanet_small.onnx'));

    const pyannote = join(dir, 'sherpa-onnx-pyannote-segmentation-3-0');
    mkdirSync(pyannote);
    for (const name of ['model.int8.onnx', 'model.onnx', 'LICENSE']) writeFileSync(join(pyannote, name), NOT_ONNX);
    assert.equal(await onnxModelFile(pyannote), join(pyannote, 'model.onnx'));
    assert.equal(await onnxModelFile(join(pyannote, 'model.int8.onnx')), join(pyannote, 'model.int8.onnx'), 'a file is taken as it is');

    const none = join(dir, 'none');
    mkdirSync(none);
    writeFileSync(join(none, 'LICENSE'), 'license');
    await assert.rejects(onnxModelFile(none), { message: `The model folder ${none} holds no .onnx file to take (found: none)` });
  });
});

test('embedded turns: times shifted, unit embeddings, a short turn takes its speaker\'s mean, a speaker with only short turns is left out', () => {
  // Stands in for the embedding model, computed from the audio it is given: its first sample and its length in seconds.
  const embed = (speech: Float32Array): Float32Array => Float32Array.of(speech[0]!, speech.length / ENGINE_SAMPLE_RATE);
  const samples = new Float32Array(10 * ENGINE_SAMPLE_RATE);
  samples.fill(1, 0, 2 * ENGINE_SAMPLE_RATE);
  const turns = [
    { start: 0, end: 2, speaker: 0 }, // its own: (1, 2), unit (1, 2)/√5
    { start: 2, end: 2.3, speaker: 0 }, // too short: the mean direction of speaker 0's others
    { start: 3, end: 6, speaker: 1 }, // its own: (0, 3), unit (0, 1)
    { start: 6, end: 6.2, speaker: 2 }, // speaker 2 has no turn long enough: left out
    { start: 7, end: 9, speaker: 0 }, // its own: (0, 2), unit (0, 1)
  ];
  const evidence = embeddedTurns(turns, samples, embed, 40);
  assert.ok(evidence.kind === 'embedded-turns');
  const round = (value: number): number => Number(value.toFixed(4));
  const sum = [1 / Math.sqrt(5), 2 / Math.sqrt(5) + 1];
  const norm = Math.hypot(sum[0]!, sum[1]!);
  assert.deepEqual(evidence.turns, [
    { start: 40, end: 42, local_speaker: 0, embedding: [round(1 / Math.sqrt(5)), round(2 / Math.sqrt(5))] },
    { start: 42, end: 42.3, local_speaker: 0, embedding: [round(sum[0]! / norm), round(sum[1]! / norm)] },
    { start: 43, end: 46, local_speaker: 1, embedding: [0, 1] },
    { start: 47, end: 49, local_speaker: 0, embedding: [0, 1] },
  ]);
});
