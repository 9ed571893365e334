import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { executionProvider } from '../packages/lightning-asr/src/engine/sherpa-onnx/execution-provider.js';
import { modelLanguages } from '../packages/lightning-asr/src/engine/sherpa-onnx/model-languages.js';
import { detectModelLayout, SIDECAR_FILE } from '../packages/lightning-asr/src/engine/sherpa-onnx/model-layout.js';
import { OfflineTranscriber } from '../packages/lightning-asr/src/engine/sherpa-onnx/offline-transcriber.js';
import { toFloatSamples } from '../packages/lightning-asr/src/engine/sherpa-onnx/pcm-float.js';
import { SherpaOnnxEngine } from '../packages/lightning-asr/src/engine/sherpa-onnx/sherpa-onnx-engine.js';
import { SherpaOnnxLiveDecoder } from '../packages/lightning-asr/src/engine/sherpa-onnx/sherpa-onnx-live-decoder.js';
import type {
  OfflineRecognizer,
  OfflineRecognizerConfig,
  OfflineRecognizerResult,
  OnlineRecognizer,
  OnlineRecognizerResult,
  OnlineStream,
  SherpaOnnxModule,
  Waveform,
} from '../packages/lightning-asr/src/engine/sherpa-onnx/sherpa-onnx-node-binding.js';
import { wordsFromText, wordsFromTokens } from '../packages/lightning-asr/src/engine/sherpa-onnx/sherpa-onnx-words.js';
import type { VoiceActivityDetector } from '../packages/lightning-asr/src/engine/vad/voice-activity-detector.js';

const root = mkdtempSync(join(tmpdir(), 'sherpa-onnx-engine-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A folder named like an official archive, with the files given (empty unless contents are given). */
function modelFolder(name: string, files: readonly string[], contents: (file: string) => Buffer | string = () => ''): string {
  const dir = join(mkdtempSync(join(root, 'm-')), name);
  mkdirSync(dir);
  for (const file of files) writeFileSync(join(dir, file), contents(file));
  return dir;
}

const spec = (modelDir: string, gpuDevice?: string) =>
  ({ engine: 'sherpa-onnx', modelDir, modelName: basename(modelDir), decoders: 1, liveDecoders: 1, threads: 1, gpuDevice }) as const;
const noVad = (): VoiceActivityDetector => {
  throw new Error('no VAD here');
};

describe('Int16 to Float32', () => {
  test('scales by 1/32768 into [-1, 1)', () => {
    assert.deepEqual([...toFloatSamples(new Int16Array([-32768, 0, 16384, 32767]))], [-1, 0, 0.5, 32767 / 32768]);
  });
});

describe('tokens to words', () => {
  test('SentencePiece pieces join at ▁; a word ends at the next token, at most 0.4 s after its last', () => {
    const words = wordsFromTokens({ tokens: ['▁HE', 'LLO', '▁WOR', 'LD'], timestamps: [0, 0.12, 0.6, 0.72] }, 1.5);
    assert.deepEqual(words, [
      { word: 'HELLO', start: 0, end: 0.52, confidence: 1 },
      { word: 'WORLD', start: 0.6, end: 1.12, confidence: 1 },
    ]);
  });

  test('TDT durations give ends; log-probabilities give a geometric-mean confidence', () => {
    const [word] = wordsFromTokens({ tokens: ['▁a', 'b'], timestamps: [1, 1.2], durations: [0.2, 0.08], ys_log_probs: [Math.log(0.5), Math.log(0.8)] }, 3);
    assert.equal(word!.word, 'ab');
    assert.equal(word!.end, 1.28);
    assert.ok(Math.abs(word!.confidence - Math.sqrt(0.4)) < 1e-9);
  });

  test('byte-level BPE joins at a leading space; CJK characters are words; special tokens dropped', () => {
    const words = wordsFromTokens({ tokens: ['<|en|>', ' hel', 'lo', '你', '好', '▁ok'], timestamps: [0, 0.1, 0.2, 0.5, 0.6, 0.9] }, 2);
    assert.deepEqual(words.map((w) => w.word), ['hello', '你', '好', 'ok']);
  });

  test('paraformer: unmarked tokens are words, @@ joins', () => {
    const words = wordsFromTokens({ tokens: ['hel@@', 'lo', 'world', '中', '国'], timestamps: [0, 0.2, 0.5, 1, 1.2] }, 2);
    assert.deepEqual(words.map((w) => w.word), ['hello', 'world', '中', '国']);
  });

  test('no or mismatched times: no timed words; text words span the audio', () => {
    assert.deepEqual(wordsFromTokens({ tokens: ['▁a'], timestamps: [] }, 1), []);
    assert.deepEqual(wordsFromText(' hello  world ', 2), [
      { word: 'hello', start: 0, end: 2, confidence: 1 },
      { word: 'world', start: 0, end: 2, confidence: 1 },
    ]);
  });
});

describe('model languages', () => {
  test('from the table, from codes in the name, else English', () => {
    assert.deepEqual(modelLanguages('sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17'), ['zh', 'en', 'ja', 'ko', 'yue']);
    assert.deepEqual(modelLanguages('sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8'), ['en']);
    assert.equal(modelLanguages('sherpa-onnx-nemo-parakeet-tdt-0.6b-v3-int8').length, 25);
    assert.deepEqual(modelLanguages('sherpa-onnx-whisper-tiny.en'), ['en']);
    assert.ok(modelLanguages('sherpa-onnx-whisper-tiny').includes('de'));
    assert.deepEqual(modelLanguages('sherpa-onnx-streaming-zipformer-bilingual-zh-en-2023-02-20'), ['zh', 'en']);
    assert.deepEqual(modelLanguages('3f2a9c'), ['en']);
  });
});

describe('model layout detection (empty files)', () => {
  const cpu = { preferInt8: true };
  const triple = (stem: string) => ['onnx', 'int8.onnx'].flatMap((ext) => ['encoder', 'decoder', 'joiner'].map((role) => `${role}-${stem}.${ext}`));

  test('streaming zipformer by folder name; int8 on the CPU, float on the GPU', async () => {
    const dir = modelFolder('sherpa-onnx-streaming-zipformer-en-2023-06-26', [...triple('epoch-99-avg-1-chunk-16-left-128'), 'tokens.txt']);
    const layout = await detectModelLayout(dir, cpu);
    assert.equal(layout.kind, 'transducer');
    assert.ok(layout.kind === 'transducer' && layout.streaming && layout.modelType === '');
    assert.ok(layout.kind === 'transducer' && layout.encoder.endsWith('encoder-epoch-99-avg-1-chunk-16-left-128.int8.onnx'));
    const gpu = await detectModelLayout(dir, { preferInt8: false });
    assert.ok(gpu.kind === 'transducer' && gpu.joiner.endsWith('joiner-epoch-99-avg-1-chunk-16-left-128.onnx'));
  });

  test('offline zipformer; a sidecar makes a cache-named folder streaming', async () => {
    const offline = await detectModelLayout(modelFolder('sherpa-onnx-zipformer-en-2023-06-26', [...triple('epoch-99-avg-1'), 'tokens.txt']), cpu);
    assert.ok(offline.kind === 'transducer' && !offline.streaming);
    const cached = modelFolder('3f2a9c', [...triple('epoch-99-avg-1'), 'tokens.txt', SIDECAR_FILE], (file) => (file === SIDECAR_FILE ? '{"streaming":true}' : ''));
    const online = await detectModelLayout(cached, cpu);
    assert.ok(online.kind === 'transducer' && online.streaming);
  });

  test('parakeet is a nemo_transducer; only int8 files present is fine', async () => {
    const layout = await detectModelLayout(modelFolder('sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8', ['encoder.int8.onnx', 'decoder.int8.onnx', 'joiner.int8.onnx', 'tokens.txt']), { preferInt8: false });
    assert.ok(layout.kind === 'transducer' && layout.modelType === 'nemo_transducer' && !layout.streaming);
  });

  test('whisper with its <size>-tokens.txt; moonshine; sense-voice; paraformer', async () => {
    const whisper = await detectModelLayout(modelFolder('sherpa-onnx-whisper-tiny.en', ['tiny.en-encoder.onnx', 'tiny.en-encoder.int8.onnx', 'tiny.en-decoder.onnx', 'tiny.en-decoder.int8.onnx', 'tiny.en-tokens.txt']), cpu);
    assert.ok(whisper.kind === 'whisper' && whisper.encoder.endsWith('tiny.en-encoder.int8.onnx') && whisper.tokens.endsWith('tiny.en-tokens.txt'));
    const moonshine = await detectModelLayout(modelFolder('sherpa-onnx-moonshine-tiny-en-int8', ['preprocess.onnx', 'encode.int8.onnx', 'uncached_decode.int8.onnx', 'cached_decode.int8.onnx', 'tokens.txt']), cpu);
    assert.ok(moonshine.kind === 'moonshine' && moonshine.uncachedDecoder.endsWith('/uncached_decode.int8.onnx') && moonshine.cachedDecoder.endsWith('/cached_decode.int8.onnx'));
    const senseVoice = await detectModelLayout(modelFolder('sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17', ['model.onnx', 'model.int8.onnx', 'tokens.txt']), cpu);
    assert.ok(senseVoice.kind === 'sense-voice' && senseVoice.model.endsWith('model.int8.onnx'));
    const paraformer = await detectModelLayout(modelFolder('sherpa-onnx-paraformer-zh-2023-09-14', ['model.onnx', 'tokens.txt']), cpu);
    assert.ok(paraformer.kind === 'paraformer' && paraformer.model.endsWith('model.onnx'));
  });

  test('unrecognised, missing, not a folder, no tokens, ambiguous: errors that say so', async () => {
    await assert.rejects(detectModelLayout(modelFolder('my-model', ['model.onnx', 'tokens.txt']), cpu), /No sherpa-onnx model layout recognised .*files: model\.onnx, tokens\.txt.*Supported layouts: transducer/);
    await assert.rejects(detectModelLayout(join(root, 'nowhere'), cpu), /does not exist/);
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    await assert.rejects(detectModelLayout(file, cpu), /is not a folder/);
    await assert.rejects(detectModelLayout(modelFolder('sherpa-onnx-zipformer-en', ['encoder.onnx', 'decoder.onnx', 'joiner.onnx']), cpu), /has no tokens\.txt/);
    await assert.rejects(detectModelLayout(modelFolder('sherpa-onnx-zipformer-en', [...triple('epoch-99'), ...triple('epoch-20'), 'tokens.txt']), cpu), /Several encoder files/);
  });
});

describe('execution provider', () => {
  test('CPU by default; CUDA refused on the CPU-only build this machine has; CUDA with the provider library', () => {
    assert.deepEqual(executionProvider(undefined), { provider: 'cpu', gpu: null });
    assert.throws(() => executionProvider('0'), /CPU-only .*libonnxruntime_providers_cuda\.so/);
    const cudaBuild = mkdtempSync(join(root, 'cuda-'));
    writeFileSync(join(cudaBuild, 'libonnxruntime_providers_cuda.so'), '');
    assert.deepEqual(executionProvider('0', cudaBuild), { provider: 'cuda', gpu: 'cuda:0' });
    assert.throws(() => executionProvider('1', cudaBuild), /CUDA_VISIBLE_DEVICES=1/);
  });
});

describe('SherpaOnnxEngine.load errors before the native load (in this process)', () => {
  test('missing folder, no layout, no tokens, zero-byte .onnx, GPU asked on a CPU build', async () => {
    await assert.rejects(SherpaOnnxEngine.load(spec(join(root, 'absent')), noVad), /does not exist/);
    await assert.rejects(SherpaOnnxEngine.load(spec(modelFolder('empty', [])), noVad), /No sherpa-onnx model layout recognised .*files: none/);
    await assert.rejects(SherpaOnnxEngine.load(spec(modelFolder('sherpa-onnx-zipformer-en', ['encoder.onnx', 'decoder.onnx', 'joiner.onnx'])), noVad), /no tokens\.txt/);
    const zeroByte = modelFolder('sherpa-onnx-streaming-zipformer-en', ['encoder.onnx', 'decoder.onnx', 'joiner.onnx', 'tokens.txt'], (file) => (file === 'tokens.txt' ? '<blk> 0\n' : ''));
    await assert.rejects(SherpaOnnxEngine.load(spec(zeroByte), noVad), /encoder\.onnx is empty \(0 bytes\)/);
    const fine = modelFolder('sherpa-onnx-zipformer-en', ['encoder.onnx', 'decoder.onnx', 'joiner.onnx', 'tokens.txt']);
    await assert.rejects(SherpaOnnxEngine.load(spec(fine, '0'), noVad), /GPU_DEVICE_ID=0 asks for CUDA, but the installed sherpa-onnx build is CPU-only/);
  });
});

describe('SherpaOnnxEngine.load of wrong-format models, in a child process', () => {
  const child = join(import.meta.dirname, 'support', 'sherpa-onnx-load-child.ts');
  const silero = join(import.meta.dirname, '..', 'node_modules', '@jjhbw', 'silero-vad', 'weights', 'silero_vad.onnx');
  const tokens = '<blk> 0\n▁a 1\n';
  interface ChildOutcome {
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly report: { loaded: boolean; message?: string; streaming?: string } | undefined;
  }
  const load = (dir: string): Promise<ChildOutcome> =>
    new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', child, dir], { timeout: 30_000 }, (error, stdout) => {
        const line = stdout.trim().split('\n').at(-1);
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          signal: error?.signal ?? null,
          report: line ? (JSON.parse(line) as ChildOutcome['report']) : undefined,
        });
      });
    });
  /** Files of a layout filled with random bytes, or with a real ONNX model of the wrong kind. */
  const filled = (name: string, onnx: readonly string[], fill: 'random' | 'silero') => {
    const dir = modelFolder(name, [...onnx, 'tokens.txt'], (file) => (file === 'tokens.txt' ? tokens : fill === 'random' ? randomBytes(4096) : ''));
    if (fill === 'silero') for (const file of onnx) copyFileSync(silero, join(dir, file));
    return dir;
  };
  const transducer = ['encoder.onnx', 'decoder.onnx', 'joiner.onnx'];

  test('offline transducer, random bytes: a clear error (createAsync rejects), the child lives', async () => {
    const outcome = await load(filled('sherpa-onnx-zipformer-en', transducer, 'random'));
    assert.equal(outcome.code, 0);
    assert.equal(outcome.report?.loaded, false);
    assert.match(outcome.report?.message ?? '', /Protobuf parsing failed/);
  });

  test('online (streaming) transducer, random bytes: the child is aborted (SIGABRT)', async () => {
    const outcome = await load(filled('sherpa-onnx-streaming-zipformer-en', transducer, 'random'));
    assert.equal(outcome.signal, 'SIGABRT');
    assert.equal(outcome.report, undefined);
  });

  const wrongModel = { skip: existsSync(silero) ? false : `no Silero model at ${silero}` };
  for (const [name, files] of [
    ['sherpa-onnx-zipformer-en', transducer],
    ['sherpa-onnx-streaming-zipformer-en', transducer],
    ['sherpa-onnx-nemo-parakeet-tdt-0.6b-v2', transducer],
    ['sherpa-onnx-whisper-tiny.en', ['tiny.en-encoder.onnx', 'tiny.en-decoder.onnx']],
    ['sherpa-onnx-sense-voice-zh-en', ['model.onnx']],
  ] as const) {
    test(`${name}, a valid ONNX model of the wrong kind (Silero VAD): the child exits 255`, wrongModel, async () => {
      const outcome = await load(filled(name, files, 'silero'));
      assert.deepEqual({ code: outcome.code, signal: outcome.signal, report: outcome.report }, { code: 255, signal: null, report: undefined });
    });
  }

  test('moonshine of the wrong kind (Silero VAD): loads without complaint', wrongModel, async () => {
    const outcome = await load(filled('sherpa-onnx-moonshine-tiny-en-int8', ['preprocess.onnx', 'encode.onnx', 'uncached_decode.onnx', 'cached_decode.onnx'], 'silero'));
    assert.deepEqual(outcome.report, { loaded: true, streaming: 'vad-chunked' });
  });
});

describe('decoding around the native recognizers (fakes of the binding)', () => {
  test('OfflineTranscriber loads `count` recognizers and turns a result into words', async () => {
    const configs: OfflineRecognizerConfig[] = [];
    const waves: Waveform[] = [];
    const result: OfflineRecognizerResult = { text: ' HELLO ', tokens: ['▁HE', 'LLO'], timestamps: [0.25, 0.5] };
    const recognizer: OfflineRecognizer = {
      createStream: () => ({ acceptWaveform: (wave) => void waves.push(wave) }),
      decode: () => undefined,
      decodeAsync: async () => result,
      getResult: () => result,
    };
    const sherpa = { OfflineRecognizer: { createAsync: async (config: OfflineRecognizerConfig) => (configs.push(config), recognizer) } } as unknown as SherpaOnnxModule;
    const config: OfflineRecognizerConfig = { modelConfig: { tokens: 'tokens.txt' } };
    const transcriber = await OfflineTranscriber.load(sherpa, config, 2);
    assert.equal(transcriber.size, 2);
    assert.equal(configs.length, 2);
    const transcript = await transcriber.transcribe(new Int16Array(16000).fill(16384));
    assert.equal(waves[0]!.sampleRate, 16000);
    assert.equal(waves[0]!.samples[0], 0.5);
    assert.deepEqual(transcript, { text: 'HELLO', words: [{ word: 'HELLO', start: 0.25, end: 0.9, confidence: 1 }] });
  });

  test('SherpaOnnxLiveDecoder: decodes every ready chunk, partial from the stream, speech from the VAD, reset per utterance', async () => {
    let ready = 0;
    let decoded = 0;
    let resets = 0;
    let text = '';
    const stream: OnlineStream = { acceptWaveform: (wave) => void (ready += Math.floor(wave.samples.length / 800)), inputFinished: () => undefined };
    const recognizer: OnlineRecognizer = {
      createStream: () => stream,
      isReady: () => ready > 0,
      decode: () => void (ready--, decoded++, (text = ` w${decoded}`)),
      isEndpoint: () => false,
      reset: () => void resets++,
      getResult: (): OnlineRecognizerResult => ({ text }),
    };
    const vadCalls: string[] = [];
    const vad: VoiceActivityDetector = {
      accept: async () => void vadCalls.push('accept'),
      inSpeech: () => true,
      reset: () => void vadCalls.push('reset'),
      free: () => void vadCalls.push('free'),
    };
    let released = 0;
    const live = new SherpaOnnxLiveDecoder(recognizer, () => vad, () => released++);
    assert.equal(live.partial(), '');
    assert.equal(live.inSpeech(), false);
    await live.process(new Int16Array(1600));
    assert.equal(decoded, 2);
    assert.equal(live.partial(), 'w2');
    assert.equal(live.inSpeech(), true);
    await live.nextUtterance();
    assert.equal(resets, 1);
    await live.release();
    assert.deepEqual(vadCalls, ['accept', 'reset', 'free']);
    assert.equal(released, 1);
  });
});
