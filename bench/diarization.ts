/**
 * Who spoke when, on the dialogue corpus (test/support/dialogue-corpus.ts: flite voices and real
 * recordings): for each system under test and two baselines, DER with no collar and with a 0.25 s
 * collar, its missed / false alarm / confusion parts (no collar, % of scored speech) and whether
 * the speaker count came out right; one table per kind of dialogue, then totals (time-weighted:
 * summed errors over summed speech). Then CPU per audio second of each system.
 *
 * Systems: the default pipeline in this process, once estimating the speaker count and once told it.
 * CPU is also given by stage (the worker's evidence, the server's clustering), and for the
 * clustering of one long recording, which is where its cost grows faster than the audio.
 *
 *   npm run bench:diarization
 */
import { createReadStream } from 'node:fs';
import { ENGINE_SAMPLE_RATE, parseEnv, type SpeakerEvidence } from '@stt/shared';
import { decodeAudio } from '../packages/api-server/src/audio/index.js';
import { apiServerVariables } from '../packages/api-server/src/config.js';
import { speakerTurns } from '../packages/api-server/src/diarization/diarization-task.js';
import { speakerLabel } from '../packages/api-server/src/diarization/speaker-label.js';
import { countBounds } from '../packages/api-server/src/diarization/speaker-turn.js';
import { PcmSegmenter } from '../packages/api-server/src/transcription/pcm-segmenter.js';
import mfccEvidence from '../packages/lightning-asr/src/diarization/mfcc-evidence-task.js';
import { bundledSileroVadModelPath } from '../packages/lightning-asr/src/engine/vad/silero-vad-model.js';
import { diarizationCorpus, type Dialogue } from '../test/support/dialogue-corpus.js';
import { equalSplitBaseline, oneSpeakerBaseline, type SpeakerSegment } from '../test/support/diarization-error-rate.js';
import { collectPcm } from '../test/support/collect-pcm.js';
import { COLLAR_SECONDS, scoreOf, sum, type Score } from '../test/support/diarization-scores.js';

/** A diarizer under test: who speaks when in one recording; `speakers` is the count when the client says it. */
type Diarizer = (wav: string, pcm: Int16Array, speakers?: number) => Promise<SpeakerSegment[]>;

interface SystemUnderTest {
  readonly name: string;
  readonly diarize: Diarizer;
  /** Whether it is told each dialogue's speaker count (num_speakers). */
  readonly toldCount: boolean;
}

const SEGMENT_BOUNDS = parseEnv({ SEGMENT_MAX_S: apiServerVariables.SEGMENT_MAX_S, SEGMENT_MIN_S: apiServerVariables.SEGMENT_MIN_S }, {});
const VAD_MODEL = bundledSileroVadModelPath();

/**
 * The default pipeline, in this process: the API server's cut into segments (its default bounds),
 * each segment's evidence as a worker makes it (Silero VAD, then MFCC blocks), and the server's
 * diarizer over the blocks of all segments.
 */
const inProcessDefaultDiarizer: Diarizer = async (wav, pcm, speakers) => {
  const segmenter = new PcmSegmenter({ sampleRate: ENGINE_SAMPLE_RATE, maxSegmentSeconds: SEGMENT_BOUNDS.SEGMENT_MAX_S, minSegmentSeconds: SEGMENT_BOUNDS.SEGMENT_MIN_S });
  const segments = [...segmenter.push(pcm), ...segmenter.end()];
  const evidence = measured('worker: VAD + MFCC blocks', () =>
    segments.map((segment) => mfccEvidence({ pcm: segment.pcm, offsetSeconds: segment.offsetSeconds, vadModelPath: VAD_MODEL })),
  );
  evidenceOf.set(wav, evidence);
  const turns = measured('server: clustering', () => speakerTurns(evidence, countBounds({ num_speakers: speakers })));
  return turns.map((turn) => ({ start: turn.start, end: turn.end, speaker: speakerLabel(turn.speaker) }));
};

/** CPU seconds of each stage of the default pipeline, over every run of it. */
const stageCpuSeconds = new Map<string, number>();
function measured<T>(stage: string, work: () => T): T {
  const before = process.cpuUsage();
  const result = work();
  const used = process.cpuUsage(before);
  stageCpuSeconds.set(stage, (stageCpuSeconds.get(stage) ?? 0) + (used.user + used.system) / 1e6);
  return result;
}
/** Each dialogue's segments' evidence, by file, as made: a long recording is made of them, end to end. */
const evidenceOf = new Map<string, SpeakerEvidence[]>();
const LONG_RECORDING_HOURS = 2;

/** The server's clustering of one recording `hours` long: the corpus's evidence, end to end, again and again. */
function longRecordingClusteringSeconds(hours: number): { blocks: number; cpuSeconds: number } {
  const evidence: SpeakerEvidence[] = [];
  let offset = 0;
  let blocks = 0;
  while (offset < hours * 3600) {
    for (const dialogue of corpus) {
      for (const segment of evidenceOf.get(dialogue.wav) ?? []) {
        if (segment.kind !== 'feature-blocks') continue;
        evidence.push({ ...segment, blocks: segment.blocks.map((block) => ({ ...block, start: block.start + offset, end: block.end + offset })) });
        blocks += segment.blocks.length;
      }
      offset += dialogue.seconds;
    }
  }
  const before = process.cpuUsage();
  speakerTurns(evidence, countBounds({}));
  const used = process.cpuUsage(before);
  return { blocks, cpuSeconds: (used.user + used.system) / 1e6 };
}

const SYSTEMS: readonly SystemUnderTest[] = [
  { name: 'default, count estimated', diarize: inProcessDefaultDiarizer, toldCount: false },
  { name: 'default, count told', diarize: inProcessDefaultDiarizer, toldCount: true },
];
const BASELINES: readonly { readonly name: string; readonly hypothesis: (dialogue: Dialogue) => SpeakerSegment[] }[] = [
  { name: 'baseline: one speaker', hypothesis: (dialogue) => oneSpeakerBaseline(dialogue.reference) },
  { name: 'baseline: equal split', hypothesis: (dialogue) => equalSplitBaseline(dialogue.reference, dialogue.speakers) },
];

const readPcm = (wav: string): Promise<Int16Array> => collectPcm(decodeAudio(createReadStream(wav), { maxDurationSeconds: 3600 }));

const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)}%`;

function row(set: string, system: string, score: Score): string[] {
  return [
    set,
    system,
    percent(score.missed + score.falseAlarm + score.confusion, score.total),
    percent(score.collaredErrors, score.collaredTotal),
    percent(score.missed, score.total),
    percent(score.falseAlarm, score.total),
    percent(score.confusion, score.total),
    score.dialogues === 1 ? (score.countError === 0 ? 'yes' : `no (${score.countError > 0 ? '+' : ''}${score.countError})`) : `${score.countsRight}/${score.dialogues}`,
  ];
}

function printTable(title: string, rows: readonly string[][]): void {
  const header = ['set', 'system', 'DER', `DER(${COLLAR_SECONDS} collar)`, 'missed', 'false alarm', 'confusion', 'count right'];
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((cells) => cells[column]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ');
  console.log(`\n${title}\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('-|-')}`);
  for (const cells of rows) console.log(line(cells));
}

const started = Date.now();
const corpus = await diarizationCorpus();
console.log(`corpus: ${corpus.length} dialogues, ${corpus.reduce((seconds, dialogue) => seconds + dialogue.seconds, 0).toFixed(0)} s of audio, ready in ${Date.now() - started} ms`);

const names = [...SYSTEMS.map((system) => system.name), ...BASELINES.map((baseline) => baseline.name)];
/** Per dialogue, each system's and baseline's score, in the order of `names`. */
const scores = new Map<Dialogue, Score[]>();
const cpuSeconds = new Map<string, number>();
for (const dialogue of corpus) {
  const pcm = await readPcm(dialogue.wav);
  const dialogueScores: Score[] = [];
  for (const system of SYSTEMS) {
    const before = process.cpuUsage();
    const hypothesis = await system.diarize(dialogue.wav, pcm, system.toldCount ? dialogue.speakers : undefined);
    const used = process.cpuUsage(before);
    cpuSeconds.set(system.name, (cpuSeconds.get(system.name) ?? 0) + (used.user + used.system) / 1e6);
    dialogueScores.push(scoreOf(dialogue, hypothesis));
  }
  for (const baseline of BASELINES) dialogueScores.push(scoreOf(dialogue, baseline.hypothesis(dialogue)));
  scores.set(dialogue, dialogueScores);
}

const kinds = [...new Set(corpus.map((dialogue) => dialogue.kind))];
const totalOf = (dialogues: readonly Dialogue[], column: number): Score => sum(dialogues.map((dialogue) => scores.get(dialogue)![column]!));
for (const kind of kinds) {
  const dialogues = corpus.filter((dialogue) => dialogue.kind === kind);
  printTable(
    `${kind} dialogues`,
    dialogues.flatMap((dialogue) => names.map((name, column) => row(`${dialogue.id} (${dialogue.speakers} spk, ${dialogue.seconds.toFixed(0)} s)`, name, scores.get(dialogue)![column]!))),
  );
}
printTable(
  'totals',
  [...kinds, 'all'].flatMap((set) =>
    names.map((name, column) => row(set, name, totalOf(set === 'all' ? corpus : corpus.filter((dialogue) => dialogue.kind === set), column))),
  ),
);

const audioSeconds = corpus.reduce((seconds, dialogue) => seconds + dialogue.seconds, 0);
console.log('\nCPU per audio second (this process, every thread):');
for (const system of SYSTEMS) console.log(`  ${system.name}: ${((1000 * cpuSeconds.get(system.name)!) / audioSeconds).toFixed(1)} ms`);
console.log('  by stage, both systems together:');
for (const [stage, seconds] of stageCpuSeconds) console.log(`    ${stage}: ${((1000 * seconds) / (SYSTEMS.length * audioSeconds)).toFixed(1)} ms`);
const long = longRecordingClusteringSeconds(LONG_RECORDING_HOURS);
console.log(`  server: clustering one ${LONG_RECORDING_HOURS} h recording (${long.blocks} blocks, the corpus end to end): ${long.cpuSeconds.toFixed(2)} s, ${((1000 * long.cpuSeconds) / (LONG_RECORDING_HOURS * 3600)).toFixed(2)} ms per audio second`);
console.log(`\nbench: ${((Date.now() - started) / 1000).toFixed(1)} s`);
