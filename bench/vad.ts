/**
 * Today's voice-activity methods next to Silero VAD (sherpa-onnx), in one run, in-process:
 *   (a) batch cutting: the API server's energy cutter (`PcmSegmenter`) vs cuts in the middle of
 *       Silero's non-speech gaps, same bounds (the API server's defaults, and a tighter pair),
 *       each segment decoded by PocketSphinx: word-weighted WER on the five LibriVox clips and
 *       on the 74 s file (the five joined three times), and how many cuts fall inside a clip;
 *   (b) live endpointing: `LiveTranscription` over the 74 s file, sent as fast as it is decoded,
 *       with PocketSphinx's live decoder (its own VAD) vs `VadLiveDecoder` on Silero: utterances,
 *       end of speech → final in audio and wall time, finals vs the batch transcript;
 *   (c) CPU per audio second of each detector alone and of each whole pipeline.
 * The two cutters decode side by side, one decoder each (2 cores); the live sessions run one after
 * the other, so their CPU and latency are their own.
 *
 *   npm run bench:vad
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { ENGINE_SAMPLE_RATE, parseEnv, pcmFromBytes, type WorkerStreamEvent } from '@stt/shared';
import { apiServerVariables } from '../packages/api-server/src/config.js';
import { PcmSegmenter } from '../packages/api-server/src/transcription/pcm-segmenter.js';
import type { LiveDecoder } from '../packages/lightning-asr/src/engine/asr-engine.js';
import { PocketSphinxEngine } from '../packages/lightning-asr/src/engine/pocketsphinx/pocketsphinx-engine.js';
import { SherpaOnnxSileroVad, findSpeechSegments, type SpeechSpan } from '../packages/lightning-asr/src/engine/sherpa-onnx/sherpa-onnx-silero-vad.js';
import { VadLiveDecoder } from '../packages/lightning-asr/src/engine/vad/vad-live-decoder.js';
import { bundledSileroVadModelPath } from '../packages/lightning-asr/src/engine/vad/silero-vad-model.js';
import { LiveTranscription } from '../packages/lightning-asr/src/streaming/live-transcription.js';
import { librivoxClips, setWer } from '../test/support/speech-corpus.js';

const MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
const SILERO = bundledSileroVadModelPath();
/** What the session decodes at a time (100 ms); the bench sends the same. */
const PIECE_SAMPLES = 1600;
/**
 * The joined file's pauses between clips are 0.3–0.45 s, so the session's default 800 ms ends no
 * utterance before the close (one 74 s final, with either detector); 300 ms is a voice bot's value.
 */
const EOU_TIMEOUT_MS = 300;
const DEFAULT_BOUNDS = parseEnv({ SEGMENT_MAX_S: apiServerVariables.SEGMENT_MAX_S, SEGMENT_MIN_S: apiServerVariables.SEGMENT_MIN_S }, {});
const TIGHT_BOUNDS = { SEGMENT_MAX_S: 10, SEGMENT_MIN_S: 3 };
type Bounds = typeof DEFAULT_BOUNDS;
/** A cut this close to where one clip ends and the next begins is in the pause between them. */
const BETWEEN_CLIPS_S = 0.3;
/** An endpoint comes about 0.1 s + eou_timeout_ms after speech ends: this close to a clip's end, it is that clip's. */
const ENDPOINT_NEAR_S = 0.8;

interface Recording {
  readonly pcm: Int16Array;
  readonly reference: string;
  /** Seconds where each clip in it ends. */
  readonly clipEnds: readonly number[];
}

/** A cutter: where to cut a recording, in seconds, in order. */
type Cutter = (pcm: Int16Array) => number[];

const toSamples = (seconds: number): number => Math.round(seconds * ENGINE_SAMPLE_RATE);
const durationOf = (pcm: Int16Array): number => pcm.length / ENGINE_SAMPLE_RATE;

/** CPU seconds (every thread of this process) that `work` takes. */
async function cpuOf<T>(work: () => Promise<T> | T): Promise<{ result: T; cpu: number }> {
  const before = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(before);
  return { result, cpu: (used.user + used.system) / 1e6 };
}

/** Today's cut: the API server's segmenter, fed the whole recording. */
function energyCuts(bounds: Bounds): Cutter {
  return (pcm) => {
    const segmenter = new PcmSegmenter({ sampleRate: ENGINE_SAMPLE_RATE, maxSegmentSeconds: bounds.SEGMENT_MAX_S, minSegmentSeconds: bounds.SEGMENT_MIN_S });
    return [...segmenter.push(pcm), ...segmenter.end()].map((segment) => segment.offsetSeconds).slice(1);
  };
}

/**
 * Silero's cut, by the segmenter's own rule so that only the detector differs: while more than
 * `max` is left, cut in the middle of the longest non-speech gap (clipped to `min`..`max` from
 * the segment's start); with no gap there, at `max`.
 */
function sileroCuts(bounds: Bounds): Cutter {
  return (pcm) => {
    const total = durationOf(pcm);
    const gaps = speechGaps(findSpeechSegments(pcm, { modelPath: SILERO }), total);
    const cuts: number[] = [];
    for (let start = 0; total - start > bounds.SEGMENT_MAX_S; start = cuts.at(-1)!) {
      const from = start + bounds.SEGMENT_MIN_S;
      const to = start + bounds.SEGMENT_MAX_S;
      let cut = to;
      let longest = 0;
      for (const gap of gaps) {
        const [gapFrom, gapTo] = [Math.max(gap.start, from), Math.min(gap.end, to)];
        if (gapTo - gapFrom > longest) [longest, cut] = [gapTo - gapFrom, (gapFrom + gapTo) / 2];
      }
      cuts.push(cut);
    }
    return cuts;
  };
}

/** The stretches between speech, the leading and trailing ones included. */
function speechGaps(speech: readonly SpeechSpan[], total: number): SpeechSpan[] {
  const edges = [0, ...speech.flatMap((span) => [span.start, span.end]), total];
  const gaps: SpeechSpan[] = [];
  for (let i = 0; i + 1 < edges.length; i += 2) if (edges[i + 1]! > edges[i]!) gaps.push({ start: edges[i]!, end: edges[i + 1]! });
  return gaps;
}

interface BatchRun {
  readonly wer: number;
  readonly segments: number;
  /** Cuts more than BETWEEN_CLIPS_S from every clip boundary: inside someone's reading. */
  readonly cutsInsideClips: number;
  readonly texts: string[];
}

async function batch(engine: PocketSphinxEngine, recordings: readonly Recording[], cutter: Cutter): Promise<BatchRun> {
  const texts: string[] = [];
  let segments = 0;
  let cutsInsideClips = 0;
  for (const recording of recordings) {
    const cuts = cutter(recording.pcm);
    cutsInsideClips += cuts.filter((cut) => recording.clipEnds.every((end) => Math.abs(cut - end) > BETWEEN_CLIPS_S)).length;
    const bounds = [0, ...cuts.map(toSamples), recording.pcm.length];
    const words: string[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) words.push((await engine.transcribe(recording.pcm.subarray(bounds[i], bounds[i + 1]))).text);
    segments += bounds.length - 1;
    texts.push(words.filter(Boolean).join(' '));
  }
  const wer = setWer(recordings.map((recording, i) => ({ reference: recording.reference, hypothesis: texts[i]! })));
  return { wer, segments, cutsInsideClips, texts };
}

interface LiveRun {
  readonly utterances: number;
  /** Endpoints far from every clip boundary: an utterance ended inside a clip. */
  readonly endpointsInsideClips: number;
  /** Clip boundaries (the last, the close, aside) with no endpoint near them. */
  readonly boundariesMissed: number;
  readonly text: string;
  /** Seconds of audio from the end of an utterance's last word to the end of its final (the endpoint). */
  readonly audioLag: number[];
  /** Wall seconds from sending the audio that ended an utterance to its final coming out. */
  readonly wallLag: number[];
  /** CPU seconds per audio second: live pass and second passes. */
  readonly cpu: number;
}

/**
 * One live session over a recording, each piece sent when the previous one is decoded. After an
 * endpoint the sender waits for its final, as a real-time sender would (each utterance lasts
 * longer than its second pass): the wall time is the final's own, not a queue of them.
 */
async function live(engine: PocketSphinxEngine, decoder: LiveDecoder, recording: Recording): Promise<LiveRun> {
  const { pcm, clipEnds } = recording;
  const finals: { event: Extract<WorkerStreamEvent, { type: 'final' }>; at: number }[] = [];
  const errors: string[] = [];
  const sentAt = new Map<number, number>();
  const session = new LiveTranscription(
    decoder,
    (audio) => engine.transcribe(audio),
    { interim_results: false, endpointing: true, eou_timeout_ms: EOU_TIMEOUT_MS, vad_events: false, offset_s: 0 },
    (event) => {
      if (event.type === 'final') finals.push({ event, at: performance.now() });
      else if (event.type === 'error') errors.push(event.message);
    },
  );
  const { cpu } = await cpuOf(async () => {
    for (let offset = 0; offset < pcm.length; offset += PIECE_SAMPLES) {
      sentAt.set(Math.min(pcm.length, offset + PIECE_SAMPLES), performance.now());
      await session.push(pcm.subarray(offset, offset + PIECE_SAMPLES));
      while (session.finalsPending > 0) await delay(5);
    }
    await session.close();
  });
  if (errors.length > 0) throw new Error(`live session failed: ${errors.join('; ')}`);
  const spoken = finals.filter(({ event }) => event.words.length > 0);
  const endpointed = spoken.filter(({ event }) => !event.is_last);
  const near = (at: number, end: number): boolean => Math.abs(at - end) <= ENDPOINT_NEAR_S;
  return {
    utterances: spoken.length,
    endpointsInsideClips: endpointed.filter(({ event }) => !clipEnds.some((end) => near(event.end, end))).length,
    boundariesMissed: clipEnds.slice(0, -1).filter((end) => !endpointed.some(({ event }) => near(event.end, end))).length,
    text: spoken.flatMap(({ event }) => event.words.map((word) => word.word)).join(' '),
    audioLag: endpointed.map(({ event }) => event.end - event.words.at(-1)!.end),
    wallLag: endpointed.map(({ event, at }) => (at - sentAt.get(toSamples(event.end))!) / 1000),
    cpu: cpu / durationOf(pcm),
  };
}

/**
 * CPU seconds per audio second of a live detector alone, fed as a session feeds it. A first
 * piece of silence loads its model untimed (PocketSphinx keeps that decoder for the next session).
 */
async function detectorCpu(decoder: LiveDecoder, pcm: Int16Array): Promise<number> {
  await decoder.process(new Int16Array(PIECE_SAMPLES));
  await decoder.nextUtterance();
  const { cpu } = await cpuOf(async () => {
    for (let offset = 0; offset < pcm.length; offset += PIECE_SAMPLES) {
      await decoder.process(pcm.subarray(offset, offset + PIECE_SAMPLES));
      decoder.inSpeech();
    }
  });
  await decoder.release();
  return cpu / durationOf(pcm);
}

/** The clips back to back, `times` over: the same samples as `concatenatedLibrivox(dir, times)`. */
function joinedClips(clips: readonly Recording[], times: number): Recording {
  const all = Array.from({ length: times }, () => clips).flat();
  const pcm = new Int16Array(all.reduce((sum, clip) => sum + clip.pcm.length, 0));
  const clipEnds: number[] = [];
  let offset = 0;
  for (const clip of all) {
    pcm.set(clip.pcm, offset);
    offset += clip.pcm.length;
    clipEnds.push(offset / ENGINE_SAMPLE_RATE);
  }
  return { pcm, reference: all.map((clip) => clip.reference).join(' '), clipEnds };
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sileroLive = (): VadLiveDecoder => new VadLiveDecoder(() => new SherpaOnnxSileroVad(SILERO), () => undefined);

function row(label: string, today: number, silero: number, digits = 3): void {
  const ratio = today === 0 ? '–' : `${(silero / today).toFixed(2)}x`;
  console.log(`| ${label} | ${today.toFixed(digits)} | ${silero.toFixed(digits)} | ${ratio} |`);
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const clips: Recording[] = librivoxClips().map((clip) => {
    const pcm = pcmFromBytes(readFileSync(clip.wav).subarray(44));
    return { pcm, reference: clip.reference, clipEnds: [durationOf(pcm)] };
  });
  const once = joinedClips(clips, 1);
  const joined = joinedClips(clips, 3);
  const seconds = durationOf(joined.pcm);
  const engine = await PocketSphinxEngine.load({ engine: 'pocketsphinx', modelDir: MODEL_DIR, decoders: 2, liveDecoders: 1 });
  try {
    findSpeechSegments(once.pcm, { modelPath: SILERO }); // loads the addon before anything is timed
    const energyAlone = await cpuOf(() => energyCuts(DEFAULT_BOUNDS)(joined.pcm));
    const sileroAlone = await cpuOf(() => sileroCuts(DEFAULT_BOUNDS)(joined.pcm));
    const liveDetector = { today: await detectorCpu(engine.openLiveDecoder()!, once.pcm), silero: await detectorCpu(sileroLive(), once.pcm) };

    const sideBySide = (recordings: readonly Recording[], bounds: Bounds): Promise<[BatchRun, BatchRun]> =>
      Promise.all([batch(engine, recordings, energyCuts(bounds)), batch(engine, recordings, sileroCuts(bounds))]);
    const [clipsEnergy, clipsSilero] = await sideBySide(clips, DEFAULT_BOUNDS);
    const defaults = await cpuOf(() => sideBySide([joined], DEFAULT_BOUNDS));
    const [joinedEnergy, joinedSilero] = defaults.result;
    const [tightEnergy, tightSilero] = await sideBySide([joined], TIGHT_BOUNDS);
    // Both runs decode the same 74 s: their decoding CPU, shared out, plus each cutter's own.
    const decodeCpu = (defaults.cpu - energyAlone.cpu - sileroAlone.cpu) / (2 * seconds);

    const liveToday = await live(engine, engine.openLiveDecoder()!, joined);
    const liveSilero = await live(engine, sileroLive(), joined);
    const batchText = joinedEnergy.texts[0]!;
    const vsBatch = (run: LiveRun): number => setWer([{ reference: batchText, hypothesis: run.text }]);
    const vsReference = (run: LiveRun): number => setWer([{ reference: joined.reference, hypothesis: run.text }]);

    const { SEGMENT_MAX_S: max, SEGMENT_MIN_S: min } = DEFAULT_BOUNDS;
    const tight = `${TIGHT_BOUNDS.SEGMENT_MAX_S}/${TIGHT_BOUNDS.SEGMENT_MIN_S} s`;
    console.log(`\nvoice activity: today's methods vs Silero VAD v5 (sherpa-onnx 1.13.8); PocketSphinx decodes; ${seconds.toFixed(1)} s joined file\n`);
    console.log(`| batch cutting: segments ≤ max s, no cut before min s (API server default ${max}/${min} s) | energy (PcmSegmenter) | Silero gaps | Silero / energy |`);
    console.log('|---|---:|---:|---:|');
    row(`WER, 5 clips, ${max}/${min} s`, clipsEnergy.wer, clipsSilero.wer);
    row(`segments, 5 clips, ${max}/${min} s`, clipsEnergy.segments, clipsSilero.segments, 0);
    row(`WER, 74 s file, ${max}/${min} s`, joinedEnergy.wer, joinedSilero.wer);
    row(`segments, 74 s file, ${max}/${min} s`, joinedEnergy.segments, joinedSilero.segments, 0);
    row(`cuts inside a clip (> ${BETWEEN_CLIPS_S} s from a clip boundary), 74 s file, ${max}/${min} s`, joinedEnergy.cutsInsideClips, joinedSilero.cutsInsideClips, 0);
    row(`WER, 74 s file, ${tight}`, tightEnergy.wer, tightSilero.wer);
    row(`segments, 74 s file, ${tight}`, tightEnergy.segments, tightSilero.segments, 0);
    row(`cuts inside a clip, 74 s file, ${tight}`, tightEnergy.cutsInsideClips, tightSilero.cutsInsideClips, 0);
    row('cutter alone, CPU ms per audio s', (energyAlone.cpu / seconds) * 1000, (sileroAlone.cpu / seconds) * 1000, 2);
    row(`cut + decode, CPU s per audio s, 74 s file, ${max}/${min} s`, decodeCpu + energyAlone.cpu / seconds, decodeCpu + sileroAlone.cpu / seconds);

    console.log(`\n| live endpointing: 74 s file sent as fast as decoded, eou_timeout_ms=${EOU_TIMEOUT_MS} | PocketSphinx live VAD | VadLiveDecoder + Silero | Silero / PocketSphinx |`);
    console.log('|---|---:|---:|---:|');
    row(`utterances (finals with words; ${joined.clipEnds.length} clips)`, liveToday.utterances, liveSilero.utterances, 0);
    row(`endpoints inside a clip (> ${ENDPOINT_NEAR_S} s from its boundaries)`, liveToday.endpointsInsideClips, liveSilero.endpointsInsideClips, 0);
    row(`clip boundaries with no endpoint (of ${joined.clipEnds.length - 1})`, liveToday.boundariesMissed, liveSilero.boundariesMissed, 0);
    row('last word end → endpoint, audio s, p50', percentile(liveToday.audioLag, 50), percentile(liveSilero.audioLag, 50), 2);
    row('last word end → endpoint, audio s, p95', percentile(liveToday.audioLag, 95), percentile(liveSilero.audioLag, 95), 2);
    row('ending audio sent → final out, wall s, p50 (sender waits for each final)', percentile(liveToday.wallLag, 50), percentile(liveSilero.wallLag, 50), 2);
    row('ending audio sent → final out, wall s, p95', percentile(liveToday.wallLag, 95), percentile(liveSilero.wallLag, 95), 2);
    row(`WER of the finals vs the batch transcript (energy, ${max}/${min} s)`, vsBatch(liveToday), vsBatch(liveSilero));
    row('WER of the finals vs the reference', vsReference(liveToday), vsReference(liveSilero));
    row('detector alone, CPU ms per audio s', liveDetector.today * 1000, liveDetector.silero * 1000, 2);
    row('whole session (live pass + second passes), CPU s per audio s', liveToday.cpu, liveSilero.cpu);
    console.log("\nPocketSphinx's detector is its live decoder: decoding and VAD are one pass, which also gives interim words.");
    console.log('VadLiveDecoder gives no interim words: only finals, each a second pass over its utterance.');
    console.log('Batch cut + decode: the two cutters decoded side by side; their decoding CPU is shared out evenly (same audio).');
    console.log(`\nbench ran ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
  } finally {
    engine.close();
  }
}

await main();
