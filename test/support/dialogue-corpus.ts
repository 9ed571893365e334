/**
 * The diarization corpus: dialogues as 16 kHz mono 16-bit WAVs with who-spoke-when references.
 *
 * flite: eight dialogues of Debian's flite voices, each voice one speaker: rms (US male), slt (US
 * female), awb (Scottish male), kal16 (US male, the 16 kHz build of kal). Five have two speakers,
 * three have three; three of them have turns that start 0.3–0.5 s before the previous one ends.
 *
 * real: five mixtures of real recordings, each source one speaker, as far as the sources say:
 *   - allison: Allison Smith, Asterisk's US English prompts (asterisk-core-sounds-en-g722, G.722 wideband);
 *   - librivox-reader: the LibriVox reader of Sense and Sensibility ch. 1 (pocketsphinx-testdata librivox/*.wav);
 *   - cmu-raw: CMU's goforward.raw, numbers.raw and something.raw (pocketsphinx-testdata), taken to be one man;
 *   - cards-reader: pocketsphinx-testdata cards/00*.wav ("ten of clubs" …).
 * One of them (real-3spk-overlap) has overlapping turns.
 *
 * Every turn is one clip, normalized to -6 dBFS peak and trimmed of silence at both ends by sox, so
 * its reference segment is where its speech is. Pauses between turns are 0.2–0.8 s.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SpeakerSegment } from './diarization-error-rate.js';
import { LIBRIVOX, TESTDATA } from './speech-corpus.js';

export interface Dialogue {
  readonly id: string;
  readonly kind: 'flite' | 'real';
  /** 16 kHz mono 16-bit WAV. */
  readonly wav: string;
  readonly seconds: number;
  readonly speakers: number;
  /** One segment per turn, in time order. */
  readonly reference: readonly SpeakerSegment[];
}

type FliteVoice = 'rms' | 'slt' | 'awb' | 'kal16';

/** Where a turn's audio comes from: flite saying a line, or a recording ffmpeg reads. */
type Source =
  | { readonly voice: FliteVoice; readonly text: string }
  | { readonly file: string; /** ffmpeg's options for reading it */ readonly input: readonly string[] };

interface Turn {
  readonly speaker: string;
  readonly source: Source;
}

interface DialogueSpec {
  readonly id: string;
  readonly kind: Dialogue['kind'];
  /** Every this many changes of speaker, the new turn starts before the previous one ends. */
  readonly overlapEvery?: number;
  readonly turns: readonly Turn[];
}

const SAMPLE_RATE = 16_000;
/** Pauses between turns, cycled from a different place in each dialogue. */
const PAUSES = [0.35, 0.6, 0.25, 0.8, 0.45, 0.3, 0.7, 0.5, 0.2, 0.55, 0.4, 0.65];
/** How long an overlapping turn talks over the end of the one before, cycled. */
const OVERLAPS = [0.4, 0.3, 0.5];
/** Silence before the first turn and after the last. */
const LEAD_SECONDS = 0.5;
/**
 * sox's trim of one end: audio goes until 20 ms are above -36 dBFS, 30 dB under the normalized
 * peak and 7 dB over the loudest noise floor here (LibriVox and cards/001, ~-43 dBFS once normalized).
 */
const TRIM_START = ['silence', '1', '0.02', '-36d'];
const ALLISON = '/usr/share/asterisk/sounds/en_US_f_Allison';
const RAW_16K = ['-f', 's16le', '-ar', '16000', '-ac', '1'];

const run = promisify(execFile);

const fliteDialogue = (id: string, overlapEvery: number | undefined, lines: readonly (readonly [FliteVoice, string])[]): DialogueSpec => ({
  id,
  kind: 'flite',
  ...(overlapEvery !== undefined ? { overlapEvery } : {}),
  turns: lines.map(([voice, text]) => ({ speaker: voice, source: { voice, text } })),
});

const allison = (prompt: string): Turn => ({ speaker: 'allison', source: { file: join(ALLISON, `${prompt}.g722`), input: ['-f', 'g722'] } });
const austenReader = (clip: string): Turn => ({
  speaker: 'librivox-reader',
  source: { file: join(LIBRIVOX, `sense_and_sensibility_01_austen_64kb-${clip}.wav`), input: [] },
});
const cmuRaw = (name: 'goforward' | 'numbers' | 'something'): Turn => ({ speaker: 'cmu-raw', source: { file: join(TESTDATA, `${name}.raw`), input: RAW_16K } });
const cardsReader = (clip: string): Turn => ({ speaker: 'cards-reader', source: { file: join(TESTDATA, 'cards', `${clip}.wav`), input: [] } });

const DIALOGUES: readonly DialogueSpec[] = [
  fliteDialogue('flite-2spk-support', undefined, [
    ['rms', 'Thank you for calling customer support, my name is Daniel.'],
    ['slt', 'Hi Daniel, my internet has been down since this morning.'],
    ['rms', 'I am sorry to hear that. Can I have your account number, please?'],
    ['slt', 'Sure, it is four five seven, two nine one.'],
    ['rms', 'Thanks. I can see an outage reported in your area.'],
    ['slt', 'Oh, really? I did not know that.'],
    ['rms', 'Yes, our engineers expect it to be fixed by three o clock.'],
    ['slt', 'Will I get a credit on my bill for the downtime?'],
    ['rms', 'Of course, I have added ten dollars to your account.'],
    ['slt', 'Great, thank you so much.'],
  ]),
  fliteDialogue('flite-2spk-standup-overlap', 3, [
    ['awb', 'Right, let us get started with the stand up.'],
    ['kal16', 'I finished the login page yesterday and opened a pull request.'],
    ['awb', 'Nice. Did the tests pass on the build server?'],
    ['kal16', 'Two of them failed, but only because of a timeout.'],
    ['awb', 'Okay, can you look into that before lunch?'],
    ['kal16', 'Sure, I will raise the limit and run them again.'],
    ['awb', 'And what is next for you after that?'],
    ['kal16', 'The password reset email, it is the last ticket in the sprint.'],
    ['awb', 'Sounds good. Shout if you get stuck.'],
  ]),
  fliteDialogue('flite-2spk-billing', undefined, [
    ['slt', 'Good afternoon, billing department, how can I help?'],
    ['awb', 'Hello, I was charged twice for my last order.'],
    ['slt', 'Let me check that for you. What is the order number?'],
    ['awb', 'It is seven seven three eight.'],
    ['slt', 'I see both payments, one of them will be refunded today.'],
    ['awb', 'How long does it take to reach my card?'],
    ['slt', 'Usually three to five working days.'],
    ['awb', 'Okay, that is fine.'],
    ['slt', 'Is there anything else I can do for you?'],
    ['awb', 'No, thanks, have a nice day.'],
  ]),
  fliteDialogue('flite-2spk-booking-overlap', 2, [
    ['kal16', 'Hello, I would like to book a table for Friday evening.'],
    ['rms', 'Certainly, for how many people?'],
    ['kal16', 'Four adults and one child, around seven thirty.'],
    ['rms', 'We have a table by the window at seven forty five.'],
    ['kal16', 'That works. Do you have a high chair?'],
    ['rms', 'Yes, I will put one aside for you.'],
    ['kal16', 'Perfect. The booking is under the name Miller.'],
    ['rms', 'Thank you, Mister Miller, see you on Friday.'],
  ]),
  fliteDialogue('flite-2spk-returns', undefined, [
    ['kal16', 'Hi, I need to return a pair of shoes I bought online.'],
    ['slt', 'No problem. Were they the wrong size?'],
    ['kal16', 'Yes, they are half a size too small.'],
    ['slt', 'Would you like an exchange or a refund?'],
    ['kal16', 'An exchange, please.'],
    ['slt', 'I will email you a free return label in a few minutes.'],
    ['kal16', 'Do I need the original box?'],
    ['slt', 'It helps, but any sturdy box will do.'],
    ['kal16', 'Great, I will send them tomorrow.'],
    ['slt', 'Thanks for shopping with us.'],
  ]),
  fliteDialogue('flite-3spk-meeting', undefined, [
    ['rms', 'Welcome everyone, the first item is the budget for next quarter.'],
    ['slt', 'Marketing needs about ten percent more for the launch.'],
    ['awb', 'Engineering can stay flat if we delay the new servers.'],
    ['rms', 'How long would that delay be?'],
    ['awb', 'About six weeks, maybe less.'],
    ['slt', 'That could push the launch back as well.'],
    ['rms', 'Then let us keep the servers and find the money elsewhere.'],
    ['awb', 'Yes, I agree with that.'],
    ['slt', 'I will send a revised plan by Thursday.'],
    ['rms', 'Thanks. Next item is hiring.'],
  ]),
  fliteDialogue('flite-3spk-planning-overlap', 3, [
    ['awb', 'So where are we with the office move?'],
    ['kal16', 'The movers are booked for the twentieth of next month.'],
    ['slt', 'And the new desks arrive two days before that.'],
    ['awb', 'Who is handling the network setup?'],
    ['kal16', 'I am, the cables go in the week before the move.'],
    ['slt', 'Please label every box with the team name.'],
    ['awb', 'Good idea, I will remind everyone on Monday.'],
    ['kal16', 'We also need to return the old keys to the landlord.'],
    ['slt', 'I can do that on the last day.'],
    ['awb', 'Great, that covers it.'],
  ]),
  fliteDialogue('flite-3spk-incident', undefined, [
    ['rms', 'The checkout service started failing about ten minutes ago.'],
    ['kal16', 'I see a spike in database errors at the same time.'],
    ['awb', 'We deployed a new version right before that.'],
    ['rms', 'Can we roll it back?'],
    ['awb', 'Yes, rolling back now.'],
    ['kal16', 'Errors are dropping. The connection pool was too small.'],
    ['rms', 'Okay, let us write up what happened this afternoon.'],
    ['awb', 'I will open the incident report.'],
    ['kal16', 'And I will fix the pool size in the config.'],
  ]),
  {
    id: 'real-2spk-allison-librivox',
    kind: 'real',
    turns: [
      allison('one-moment-please'),
      austenReader('0880'),
      allison('queue-youarenext'),
      austenReader('0930'),
      allison('pls-hold-while-try'),
      austenReader('0890'),
      allison('demo-thanks'),
    ],
  },
  {
    id: 'real-2spk-allison-cmu',
    kind: 'real',
    turns: [
      allison('vm-intro'),
      cmuRaw('goforward'),
      allison('check-number-dial-again'),
      cmuRaw('numbers'),
      allison('please-try-call-later'),
      cmuRaw('something'),
      allison('queue-thankyou'),
    ],
  },
  {
    id: 'real-2spk-librivox-cards',
    kind: 'real',
    turns: [
      austenReader('0870'),
      cardsReader('001'),
      austenReader('0880'),
      cardsReader('002'),
      austenReader('0930'),
      cardsReader('005'),
      austenReader('0890'),
      cardsReader('003'),
    ],
  },
  {
    id: 'real-3spk-overlap',
    kind: 'real',
    overlapEvery: 3,
    turns: [
      allison('sorry-youre-having-problems'),
      cardsReader('005'),
      cmuRaw('goforward'),
      allison('cannot-complete-as-dialed'),
      cardsReader('002'),
      cmuRaw('numbers'),
      allison('vm-nobodyavail'),
      cardsReader('004'),
      cmuRaw('something'),
    ],
  },
  {
    id: 'real-3spk-librivox-allison-cmu',
    kind: 'real',
    turns: [
      austenReader('0920'),
      allison('agent-newlocation'),
      cmuRaw('numbers'),
      austenReader('0930'),
      allison('all-circuits-busy-now'),
      cmuRaw('something'),
      austenReader('0880'),
      allison('priv-callpending'),
      cmuRaw('goforward'),
    ],
  },
];

/**
 * Builds the corpus under `root` (once: the build is keyed by this file's content, so changing a
 * dialogue here rebuilds it) and returns its dialogues.
 */
export async function diarizationCorpus(root = join(tmpdir(), 'stt-diarization-corpus')): Promise<Dialogue[]> {
  const dir = join(root, createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex').slice(0, 16));
  const manifest = join(dir, 'dialogues.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as Dialogue[];
  if (!existsSync(ALLISON)) throw new Error(`${ALLISON} is missing: apt-get install asterisk-core-sounds-en-g722`);
  // Built aside and renamed into place, so a build cut short or running beside another is never read.
  const building = `${dir}.${process.pid}.partial`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const clipPath = (spec: DialogueSpec, turn: number): string => join(building, `${spec.id}-turn${turn}.wav`);
  const clips = DIALOGUES.flatMap((spec) => spec.turns.map((turn, t) => ({ source: turn.source, path: clipPath(spec, t) })));
  const clipSamples = await inParallel(clips, ({ source, path }) => speechClip(source, path));
  let offset = 0;
  const turnSamples = DIALOGUES.map((spec) => clipSamples.slice(offset, (offset += spec.turns.length)));
  const dialogues = await inParallel(DIALOGUES, async (spec, index): Promise<Dialogue> => {
    const samples = turnSamples[index]!;
    const starts = turnStarts(spec, index, samples);
    const name = `${spec.id}.wav`;
    const turnClips = spec.turns.map((_, t) => ({ path: clipPath(spec, t), startSample: starts[t]! }));
    await mix(turnClips, join(building, name));
    for (const clip of turnClips) rmSync(clip.path);
    return {
      id: spec.id,
      kind: spec.kind,
      wav: join(dir, name),
      seconds: (await sampleCount(join(building, name))) / SAMPLE_RATE,
      speakers: new Set(spec.turns.map((turn) => turn.speaker)).size,
      reference: spec.turns.map((turn, t) => ({ start: starts[t]! / SAMPLE_RATE, end: (starts[t]! + samples[t]!) / SAMPLE_RATE, speaker: turn.speaker })),
    };
  });
  writeFileSync(join(building, 'dialogues.json'), JSON.stringify(dialogues, null, 2));
  try {
    renameSync(building, dir);
  } catch (error) {
    // Another process finished the same build first: its copy is as good as this one.
    if (!existsSync(manifest)) throw error;
    rmSync(building, { recursive: true, force: true });
  }
  return dialogues;
}

/** Makes one turn's clip (16 kHz mono 16-bit, -6 dBFS peak, ends trimmed); returns its length in samples. */
async function speechClip(source: Source, out: string): Promise<number> {
  const untrimmed = `${out}.source.wav`;
  if ('voice' in source) await run('flite', ['-voice', source.voice, '-t', source.text, '-o', untrimmed]);
  else await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...source.input, '-i', source.file, untrimmed]);
  // -R: sox's dither to 16 bits is seeded, so a build comes out the same byte for byte.
  // The trailing silence is trimmed as leading silence of the reversed audio.
  await run('sox', ['-R', untrimmed, '-r', `${SAMPLE_RATE}`, '-c', '1', '-b', '16', out, 'norm', '-6', ...TRIM_START, 'reverse', ...TRIM_START, 'reverse']);
  rmSync(untrimmed);
  return sampleCount(out);
}

async function sampleCount(wav: string): Promise<number> {
  const { stdout } = await run('sox', ['--i', '-s', wav]);
  return Number(stdout.trim());
}

/** Where each turn starts, in samples: after a pause, or over the previous turn's end every `overlapEvery` changes of speaker. */
function turnStarts(spec: DialogueSpec, index: number, samples: readonly number[]): number[] {
  const starts: number[] = [];
  let changes = 0;
  let overlaps = 0;
  spec.turns.forEach((turn, t) => {
    if (t === 0) {
      starts.push(Math.round(LEAD_SECONDS * SAMPLE_RATE));
      return;
    }
    const previousEnd = starts[t - 1]! + samples[t - 1]!;
    const change = turn.speaker !== spec.turns[t - 1]!.speaker;
    if (change) changes++;
    const overlapping = change && spec.overlapEvery !== undefined && changes % spec.overlapEvery === 0;
    const offset = overlapping ? -OVERLAPS[overlaps++ % OVERLAPS.length]! : PAUSES[(index + t) % PAUSES.length]!;
    starts.push(previousEnd + Math.round(offset * SAMPLE_RATE));
  });
  return starts;
}

/** sox sums the clips, each delayed to its start, at unit gain (sox -m would otherwise divide by their number). */
async function mix(clips: readonly { path: string; startSample: number }[], out: string): Promise<void> {
  const inputs = clips.flatMap(({ path, startSample }) => ['-v', '1', `|sox ${path} -p pad ${startSample}s`]);
  await run('sox', ['-R', '-m', ...inputs, '-r', `${SAMPLE_RATE}`, '-c', '1', '-b', '16', out, 'pad', '0', `${LEAD_SECONDS}`]);
}

/** `work` on every item, a few at a time (flite, ffmpeg and sox are one process per call). */
async function inParallel<T, R>(items: readonly T[], work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let taken = 0;
  const worker = async (): Promise<void> => {
    while (taken < items.length) {
      const index = taken++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: availableParallelism() + 1 }, worker));
  return results;
}
