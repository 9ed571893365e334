import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ENGINE_SAMPLE_RATE, pcmFromBytes, type WorkerStreamEvent } from '@stt/shared';
import { PocketSphinxEngine } from '../packages/lightning-asr/src/engine/pocketsphinx/pocketsphinx-engine.js';
import { SherpaOnnxSileroVad, findSpeechSegments, type SpeechSpan } from '../packages/lightning-asr/src/engine/sherpa-onnx/sherpa-onnx-silero-vad.js';
import { VadLiveDecoder } from '../packages/lightning-asr/src/engine/vad/vad-live-decoder.js';
import { bundledSileroVadModelPath } from '../packages/lightning-asr/src/engine/vad/silero-vad-model.js';
import { LiveTranscription } from '../packages/lightning-asr/src/streaming/live-transcription.js';
import { GOFORWARD_RAW, librivoxClips } from './support/speech-corpus.js';

const MODEL = bundledSileroVadModelPath();
const PIECE_SAMPLES = 1600;
/** The shortest LibriVox clip (3 s): "he was not an ill disposed young man". */
const CLIP = librivoxClips().find((clip) => clip.id.endsWith('0880'))!;

const silence = (seconds: number): Int16Array => new Int16Array(Math.round(seconds * ENGINE_SAMPLE_RATE));
const seconds = (pcm: Int16Array): number => pcm.length / ENGINE_SAMPLE_RATE;

function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** White noise of peak `amplitude`, the same every run (a linear congruential generator). */
function whiteNoise(durationSeconds: number, amplitude: number): Int16Array {
  const pcm = silence(durationSeconds);
  let state = 12345;
  for (let i = 0; i < pcm.length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    pcm[i] = Math.round((state / 2 ** 31 - 0.5) * 2 * amplitude);
  }
  return pcm;
}

/** `inSpeech()` after each 100 ms piece, with the stream time (s) at the piece's end. */
async function speechTrack(pcm: Int16Array): Promise<{ at: number; speech: boolean }[]> {
  const vad = new SherpaOnnxSileroVad(MODEL);
  const track: { at: number; speech: boolean }[] = [];
  for (let offset = 0; offset < pcm.length; offset += PIECE_SAMPLES) {
    await vad.accept(pcm.subarray(offset, offset + PIECE_SAMPLES));
    track.push({ at: Math.min(pcm.length, offset + PIECE_SAMPLES) / ENGINE_SAMPLE_RATE, speech: vad.inSpeech() });
  }
  vad.free();
  return track;
}

/** Seconds of `region` that the spans cover. */
function covered(spans: readonly SpeechSpan[], region: SpeechSpan): number {
  return spans.reduce((sum, span) => sum + Math.max(0, Math.min(span.end, region.end) - Math.max(span.start, region.start)), 0);
}

describe('Silero VAD through sherpa-onnx', () => {
  let engine: PocketSphinxEngine;
  let goForward: Int16Array;
  let clip: Int16Array;
  let dir: string;

  before(async () => {
    engine = await PocketSphinxEngine.load({ engine: 'pocketsphinx', modelDir: '/usr/share/pocketsphinx/model/en-us', decoders: 1, liveDecoders: 0 });
    goForward = pcmFromBytes(readFileSync(GOFORWARD_RAW));
    clip = pcmFromBytes(readFileSync(CLIP.wav).subarray(44));
    dir = mkdtempSync(join(tmpdir(), 'stt-silero-'));
  });
  after(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the model shipped in the npm package is found and loads', async () => {
    assert.ok(existsSync(MODEL), MODEL);
    const vad = new SherpaOnnxSileroVad(MODEL);
    await vad.accept(silence(0.5));
    assert.equal(vad.inSpeech(), false);
    vad.free();
  });

  for (const [name, pcm] of [['goforward.raw', () => goForward], ['a LibriVox clip', () => clip]] as const) {
    test(`on ${name}, speech is found where PocketSphinx hears words`, async () => {
      const audio = pcm();
      const { words } = await engine.transcribe(audio);
      assert.ok(words.length > 0);
      const spoken = { start: words[0]!.start, end: words.at(-1)!.end };
      const spans = findSpeechSegments(audio, { modelPath: MODEL });
      assert.ok(spans.length >= 1, 'no speech found');
      // Most of the spoken region is speech to Silero, and its speech is mostly in that region.
      assert.ok(covered(spans, spoken) >= 0.8 * (spoken.end - spoken.start), JSON.stringify({ spans, spoken }));
      const found = spans.reduce((sum, span) => sum + span.end - span.start, 0);
      assert.ok(covered(spans, { start: spoken.start - 0.5, end: spoken.end + 0.5 }) >= 0.9 * found, JSON.stringify({ spans, spoken }));
    });
  }

  test('no speech in 2 s of digital silence, nor in low white noise', async () => {
    for (const pcm of [silence(2), whiteNoise(2, 300)]) {
      assert.deepEqual(findSpeechSegments(pcm, { modelPath: MODEL }), []);
      assert.ok((await speechTrack(pcm)).every((point) => !point.speech));
    }
  });

  test('inSpeech() turns true in speech and false within 0.3 s after it ends', async () => {
    const speechEnd = seconds(goForward);
    const track = await speechTrack(concat(goForward, silence(1.5)));
    assert.ok(track.some((point) => point.speech && point.at <= speechEnd), 'never in speech');
    const late = track.filter((point) => point.at >= speechEnd + 0.3);
    assert.ok(late.length > 0 && late.every((point) => !point.speech), JSON.stringify(track));
  });

  test('findSpeechSegments gives ordered segments inside the audio', () => {
    const pcm = concat(silence(0.5), goForward, silence(1), clip, silence(1), goForward);
    const spans = findSpeechSegments(pcm, { modelPath: MODEL });
    assert.ok(spans.length >= 3, JSON.stringify(spans));
    let previousEnd = 0;
    for (const span of spans) {
      assert.ok(span.start >= previousEnd && span.start < span.end, JSON.stringify(spans));
      previousEnd = span.end;
    }
    assert.ok(previousEnd <= seconds(pcm));
  });

  test('a missing model, or a file that is not ONNX, is a clear error (not a crash)', () => {
    const missing = join(dir, 'no-such-model.onnx');
    assert.throws(() => new SherpaOnnxSileroVad(missing), { message: `Silero VAD model not found: ${missing}` });
    assert.throws(() => findSpeechSegments(goForward, { modelPath: missing }), /Silero VAD model not found/);
    assert.throws(() => new SherpaOnnxSileroVad(dir), /Silero VAD model is not a file/);
    const text = join(dir, 'model.onnx');
    writeFileSync(text, 'not a model\n');
    assert.throws(() => new SherpaOnnxSileroVad(text), /Silero VAD model is not an ONNX file/);
  });

  test('VadLiveDecoder in a live session: goforward.raw then 1.5 s of silence is one final, "go forward …"', async () => {
    const events: WorkerStreamEvent[] = [];
    const decoder = new VadLiveDecoder(() => new SherpaOnnxSileroVad(MODEL), () => undefined);
    const session = new LiveTranscription(
      decoder,
      (pcm) => engine.transcribe(pcm),
      { interim_results: true, endpointing: true, eou_timeout_ms: 800, vad_events: true, offset_s: 0 },
      (event) => events.push(event),
    );
    const pcm = concat(goForward, silence(1.5));
    for (let offset = 0; offset < pcm.length; offset += PIECE_SAMPLES) await session.push(pcm.subarray(offset, offset + PIECE_SAMPLES));
    await session.close();
    const finals = events.filter((event): event is Extract<WorkerStreamEvent, { type: 'final' }> => event.type === 'final');
    const spoken = finals.filter((final) => final.words.length > 0);
    assert.equal(spoken.length, 1, JSON.stringify(finals));
    assert.match(spoken[0]!.words.map((word) => word.word).join(' '), /go forward/);
    assert.equal(spoken[0]!.from_finalize, false, 'the VAD ended the utterance, not the close');
    assert.deepEqual(events.filter((event) => event.type === 'partial'), [], 'no interim words without a live decode');
    assert.deepEqual(events.filter((event) => event.type === 'speech_started' || event.type === 'speech_ended').map((event) => event.type), ['speech_started', 'speech_ended']);
  });
});
