import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { WhisperSpec } from '../packages/lightning-asr/src/engine/engine-spec.js';
import { checkModelInChildProcess } from '../packages/lightning-asr/src/engine/model-check/check-model.js';

const TINY_EN = join(import.meta.dirname, 'fixtures', 'models', 'for-tests-ggml-tiny.en.bin');

/** Loading and decoding a second with the tensor-less test model takes ~22 s of CPU here. */
const ENOUGH_MS = 120_000;

function whisper(modelPath: string): WhisperSpec {
  // More decoders than the check loads: it must load one, with no live sessions.
  return { engine: 'whisper', modelPath, modelName: basename(modelPath, '.bin'), decoders: 4, liveDecoders: 4, threads: 1, gpuDevice: undefined };
}

// The checks run at once, each a child process. One that passes (about 22 s with the test model) is
// test/engines.test.ts's: its whisper worker logs "Model check passed" before it loads the model.
describe('the model check loads the model in a child process first', { concurrency: true }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stt-model-check-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing model file: not ok, "not found" and the path', async () => {
    const missing = join(dir, 'ggml-none.bin');
    assert.deepEqual(await checkModelInChildProcess(whisper(missing), { timeoutMs: ENOUGH_MS }), {
      ok: false,
      reason: `Model check failed: Whisper model not found: ${missing}`,
    });
  });

  test('random bytes named .bin: not ok with a clear reason, and this process lives on', async () => {
    const garbage = join(dir, 'ggml-garbage.bin');
    writeFileSync(garbage, Buffer.from(Array.from({ length: 65536 }, () => Math.floor(Math.random() * 256))));
    assert.deepEqual(await checkModelInChildProcess(whisper(garbage), { timeoutMs: ENOUGH_MS }), {
      ok: false,
      reason: `Model check failed: Whisper model is not a whisper.cpp ggml model (no ggml magic number at its start): ${garbage}`,
    });
  });

  test('a model that crashes whisper.cpp (an unknown tensor type aborts it): the crash, its signal and its last words', async () => {
    // tiny.en with ftype 77: whisper.cpp fails GGML_ASSERT(wtype != GGML_TYPE_COUNT) and aborts the process.
    const crashing = join(dir, 'ggml-bad-ftype.bin');
    const bytes = readFileSync(TINY_EN);
    bytes.writeInt32LE(77, 4 + 4 * 10);
    writeFileSync(crashing, bytes);
    const result = await checkModelInChildProcess(whisper(crashing), { timeoutMs: ENOUGH_MS });
    console.log(`bad ftype check: ${JSON.stringify(result)}`);
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.match(result.reason, new RegExp(`^The whisper\\.cpp library crashed \\(SIGABRT\\) while loading the model ${crashing}: .*GGML_ASSERT\\(wtype != GGML_TYPE_COUNT\\) failed$`));
    assert.ok(result.reason.length < 400 && !result.reason.includes('\n'));
  });

  test('a check that takes longer than its timeout is killed: "timed out"', async () => {
    // Decoding with the tensor-less model takes ~20 s: far more than 1.5 s.
    assert.deepEqual(await checkModelInChildProcess(whisper(TINY_EN), { timeoutMs: 1500 }), { ok: false, reason: 'Model check timed out after 1.5 s' });
  });
});
