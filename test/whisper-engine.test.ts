import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import type { WhisperSpec } from '../packages/lightning-asr/src/engine/engine-spec.js';
import type { VoiceActivityDetector } from '../packages/lightning-asr/src/engine/vad/voice-activity-detector.js';
import { gpuRefusal, whisperDevice } from '../packages/lightning-asr/src/engine/whisper/whisper-device.js';
import { WhisperEngine } from '../packages/lightning-asr/src/engine/whisper/whisper-engine.js';
import { WHISPER_LANGUAGES } from '../packages/lightning-asr/src/engine/whisper/whisper-languages.js';
import { WhisperLoadLog } from '../packages/lightning-asr/src/engine/whisper/whisper-load-log.js';
import { isVadSegmentList, loadWhisperBinding, type VadSegment } from '../packages/lightning-asr/src/engine/whisper/whisper-node-binding.js';
import { wordsFromTokens } from '../packages/lightning-asr/src/engine/whisper/whisper-words.js';
import { GOFORWARD_RAW, LIBRIVOX } from './support/speech-corpus.js';

const MODELS = join(import.meta.dirname, 'fixtures', 'models');
const TINY_EN = join(MODELS, 'for-tests-ggml-tiny.en.bin');
const SILERO = join(MODELS, 'for-tests-silero-v6.2.0-ggml.bin');
const PARAKEET = join(MODELS, 'for-tests-ggml-parakeet-tdt.bin');

const refuseVad = (): VoiceActivityDetector => {
  throw new Error('no VAD in this test');
};

function spec(modelPath: string, overrides: Partial<WhisperSpec> = {}): WhisperSpec {
  return { engine: 'whisper', modelPath, modelName: basename(modelPath, '.bin'), decoders: 1, liveDecoders: 1, threads: 2, gpuDevice: undefined, ...overrides };
}

function rawPcm(path: string, skipBytes = 0): Int16Array {
  const bytes = readFileSync(path).subarray(skipBytes);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.length & ~1)));
}

/** tiny.en's header, mel filters and vocabulary with one int32 of the header (after the magic) replaced. */
function patchedTinyEn(dir: string, name: string, headerIndex: number, value: number): string {
  const bytes = readFileSync(TINY_EN);
  bytes.writeInt32LE(value, 4 + 4 * headerIndex);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('WhisperEngine (whisper.cpp through @fugood/whisper.node)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stt-whisper-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the tensor-less tiny.en model loads, named after its file, English-only, on the CPU', async () => {
    const started = performance.now();
    const engine = await WhisperEngine.load(spec(TINY_EN, { decoders: 2, liveDecoders: 3 }), refuseVad);
    const loadMs = performance.now() - started;
    try {
      console.log(`2 contexts of for-tests-ggml-tiny.en loaded in ${Math.round(loadMs)} ms`);
      assert.equal(engine.name, 'whisper');
      assert.equal(engine.model, 'for-tests-ggml-tiny.en');
      assert.equal(engine.gpu, null);
      assert.equal(engine.capacity, 2);
      assert.equal(engine.streamCapacity, 3);
      assert.deepEqual(engine.capabilities, { batch: true, streaming: 'vad-chunked', wordTimestamps: true, languages: ['en'] });
    } finally {
      engine.close();
    }
  });

  test('a multilingual vocabulary (51865 tokens in the header) lists every language whisper.cpp knows', async () => {
    const engine = await WhisperEngine.load(spec(patchedTinyEn(dir, 'ggml-tiny.bin', 0, 51865)), refuseVad);
    try {
      assert.equal(engine.model, 'ggml-tiny');
      assert.equal(engine.capabilities.languages, WHISPER_LANGUAGES);
      assert.equal(WHISPER_LANGUAGES.length, 100);
      assert.ok(WHISPER_LANGUAGES.includes('en') && WHISPER_LANGUAGES.includes('de') && WHISPER_LANGUAGES.includes('yue'));
    } finally {
      engine.close();
    }
  });

  test('live decoders: a VadLiveDecoder with the given VAD factory, up to liveDecoders at once', async () => {
    let vads = 0;
    const fakeVad = (): VoiceActivityDetector => {
      vads++;
      return { accept: async () => {}, inSpeech: () => true, reset: () => {}, free: () => {} };
    };
    const engine = await WhisperEngine.load(spec(TINY_EN, { liveDecoders: 2 }), fakeVad);
    try {
      const first = engine.openLiveDecoder();
      const second = engine.openLiveDecoder();
      assert.ok(first && second);
      assert.equal(engine.openLiveDecoder(), undefined, 'a third session finds no place');
      assert.equal(vads, 0, 'the VAD is made on the first audio, not on open');
      await first.process(new Int16Array(160));
      assert.equal(vads, 1);
      assert.equal(first.inSpeech(), true);
      assert.equal(first.partial(), '');
      await first.release();
      assert.ok(engine.openLiveDecoder(), 'a released place is free again');
    } finally {
      engine.close();
    }
  });

  test('a missing model file is an Error naming the path', async () => {
    const missing = join(dir, 'ggml-none.bin');
    await assert.rejects(WhisperEngine.load(spec(missing), refuseVad), { message: `Whisper model not found: ${missing}` });
  });

  test('random bytes, and a ggml model of another kind, are clear Errors and the process lives on', async () => {
    const garbage = join(dir, 'ggml-garbage.bin');
    writeFileSync(garbage, Buffer.from(Array.from({ length: 65536 }, () => Math.floor(Math.random() * 256))));
    await assert.rejects(WhisperEngine.load(spec(garbage), refuseVad), {
      message: `Whisper model is not a whisper.cpp ggml model (no ggml magic number at its start): ${garbage}`,
    });
    // whisper.cpp given this Parakeet-TDT ggml model allocated 24 GB and was killed; it never sees it.
    await assert.rejects(WhisperEngine.load(spec(PARAKEET), refuseVad), /vocabulary of 10 tokens, not Whisper's 51864–51866/);
    // "ggml" then random bytes: whisper.cpp aborts on it (GGML_ASSERT); the vocabulary check stops it first.
    const ggmlGarbage = join(dir, 'ggml-magic-garbage.bin');
    writeFileSync(ggmlGarbage, Buffer.concat([Buffer.from('lmgg', 'latin1'), readFileSync(garbage)]));
    await assert.rejects(WhisperEngine.load(spec(ggmlGarbage), refuseVad), /a ggml model of another kind/);
  });

  test('GPU_DEVICE_ID asks for the CUDA build; without a usable one the load fails instead of running on the CPU', async () => {
    const cudaInstalled = existsSync(join(import.meta.dirname, '..', 'node_modules', '@fugood', `node-whisper-${process.platform}-${process.arch}-cuda`));
    const failure = await WhisperEngine.load(spec(TINY_EN, { gpuDevice: '0' }), refuseVad).then(
      (engine) => {
        engine.close();
        return undefined;
      },
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    console.log(`CUDA package installed: ${cudaInstalled}; load with GPU_DEVICE_ID=0: ${failure ?? 'loaded on a GPU'}`);
    // This machine has no GPU (and no CUDA runtime): the load must not succeed on the CPU.
    assert.ok(failure !== undefined);
    assert.match(failure, cudaInstalled ? /^GPU_DEVICE_ID is set, but the CUDA build of whisper\.cpp .* could not be loaded: / : /is not installed$/);
    assert.throws(() => whisperDevice('1'), /set CUDA_VISIBLE_DEVICES=1 too/);
  });

  test('a CUDA build that finds no GPU is refused; one that takes it names the device', () => {
    const cuda = { build: 'cuda', gpu: 'cuda:0' } as const;
    const line = (text: string) => ({ level: 'info', text });
    assert.equal(gpuRefusal(cuda, [line('whisper_backend_init_gpu: using CUDA0 backend')]), undefined);
    assert.match(gpuRefusal(cuda, [line('whisper_backend_init_gpu: no GPU found')]) ?? '', /found no usable GPU \(no GPU found\); it would decode on the CPU$/);
    assert.match(gpuRefusal(cuda, [line('whisper_backend_init_gpu: using CUDA0 backend'), { level: 'error', text: 'whisper_backend_init_gpu: failed to initialize CUDA0 backend' }]) ?? '', /failed to initialize CUDA0 backend/);
    assert.equal(gpuRefusal({ build: 'cpu', gpu: null }, [line('whisper_backend_init_gpu: no GPU found')]), undefined);
  });

  test('words from token segments: joined at leading spaces, annotations dropped, times in seconds inside the audio', () => {
    const tokens = [
      { text: '[BLANK_AUDIO]', t0: 0, t1: 400 },
      { text: ' Go', t0: 480, t1: 700 },
      { text: ' for', t0: 700, t1: 900 },
      { text: 'ward', t0: 900, t1: 1150 },
      { text: ' (upbeat', t0: 1150, t1: 1200 },
      { text: ' music)', t0: 1200, t1: 1300 },
      { text: ' ten', t0: 1300, t1: 1500 },
      { text: ' met', t0: 1500, t1: 1800 },
      { text: 'ers', t0: 1800, t1: 2100 },
      { text: '.', t0: 2100, t1: 2900 },
    ];
    assert.deepEqual(wordsFromTokens(tokens, 2.5), [
      { word: 'Go', start: 0.48, end: 0.7, confidence: 1 },
      { word: 'forward', start: 0.7, end: 1.15, confidence: 1 },
      { word: 'ten', start: 1.3, end: 1.5, confidence: 1 },
      { word: 'meters.', start: 1.5, end: 2.5, confidence: 1 },
    ]);
  });

  test("whisper.cpp's ggml Silero VAD finds the speech in real recordings and none in digital silence", async () => {
    const binding = loadWhisperBinding('cpu');
    // whisper.cpp logs ~15 lines per detection: kept off the test's output.
    const log = WhisperLoadLog.start(binding);
    const vad = new binding.WhisperVadContext({ filePath: SILERO, useGpu: false, nThreads: 1 });
    const speech = async (pcm: Int16Array): Promise<VadSegment[]> => {
      const segments = await vad.detectSpeechData(pcm.slice().buffer);
      assert.ok(isVadSegmentList(segments));
      // Centiseconds, as whisper.cpp gives them.
      return segments.map(({ t0, t1 }) => ({ t0: t0 / 100, t1: t1 / 100 }));
    };
    try {
      // goforward.raw: "go forward ten meters", spoken from about 0.5 s to 2.3 s of its 2.8 s.
      const goforward = await speech(rawPcm(GOFORWARD_RAW));
      assert.ok(goforward.length >= 1, JSON.stringify(goforward));
      assert.ok(goforward.some(({ t0, t1 }) => t0 < 2.3 && t1 > 0.5), JSON.stringify(goforward));
      const librivox = await speech(rawPcm(join(LIBRIVOX, 'sense_and_sensibility_01_austen_64kb-0870.wav'), 44));
      assert.ok(librivox.reduce((sum, { t0, t1 }) => sum + t1 - t0, 0) > 3, `most of the 7.1 s clip is speech: ${JSON.stringify(librivox)}`);
      assert.deepEqual(await speech(new Int16Array(ENGINE_SAMPLE_RATE)), []);
      console.log(`VAD segments (s): goforward ${JSON.stringify(goforward)}, LibriVox 0870 ${JSON.stringify(librivox)}`);
    } finally {
      await vad.release();
      await log.stop();
    }
  });

  // Last: after whisper.cpp has thrown during a load, a later failing load in the same process was
  // seen to segfault (the model check's child process is what protects the worker from that).
  test("a ggml header that whisper.cpp itself rejects is an Error with whisper.cpp's reason", async () => {
    const hugeMels = patchedTinyEn(dir, 'ggml-huge-mels.bin', 11, 0x7fffffff);
    await assert.rejects(WhisperEngine.load(spec(hugeMels), refuseVad), {
      message: `whisper.cpp could not load ${hugeMels}: exception during model load: std::bad_alloc`,
    });
  });
});
