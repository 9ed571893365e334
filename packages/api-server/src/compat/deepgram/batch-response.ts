import { randomUUID } from 'node:crypto';
import type { TranscriptWord } from '../../transcription/batch-transcript.js';
import type { BatchAnswer } from '../../routes/batch-route.js';
import { paragraphs } from '../../transcription/paragraphs.js';
import { punctuate, sentences } from '../../transcription/punctuate.js';
import type { DeepgramBatchOptions } from './batch-options.js';
import { deepgramAlternative } from './deepgram-alternative.js';
import { deepgramModelInfo } from './model-info.js';
import { substitutedModelWarning } from './unsupported-options.js';

/**
 * Deepgram's pre-recorded answer: `metadata` (with `warnings` for what was not honoured) and
 * one channel with one alternative; `utterances` and `paragraphs` on request. Words always.
 */
export function deepgramBatchResponse({ requestId, transcript, options, audioSha256 }: BatchAnswer<DeepgramBatchOptions>) {
  const own = options.own;
  const model = deepgramModelInfo(transcript.model, transcript.engine);
  const warnings = [...own.warnings, ...(own.deepgramModel !== undefined ? [substitutedModelWarning(own.deepgramModel, transcript.model)] : [])];
  const words = transcript.words;
  return {
    metadata: {
      transaction_key: 'deprecated',
      request_id: requestId,
      sha256: audioSha256,
      created: new Date().toISOString(),
      duration: Number(transcript.durationSeconds.toFixed(3)),
      channels: 1,
      models: [model.uuid],
      model_info: { [model.uuid]: { name: model.name, version: model.version, arch: model.arch } },
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(Object.keys(own.extra).length > 0 ? { extra: own.extra } : {}),
      ...(own.tags.length > 0 ? { tags: own.tags } : {}),
    },
    results: {
      channels: [
        {
          alternatives: [{ ...deepgramAlternative(words, own.punctuate), ...(own.paragraphs ? { paragraphs: deepgramParagraphs(words) } : {}) }],
        },
      ],
      ...(own.utterances ? { utterances: sentences(words).map((utterance) => ({ ...deepgramUtterance(utterance, own.punctuate), id: randomUUID() })) } : {}),
    },
  };
}

/** One utterance: one speaker's, when diarized (`sentences` splits at speaker changes). */
function deepgramUtterance(words: readonly TranscriptWord[], punctuated: boolean) {
  const { transcript, confidence, words: spoken } = deepgramAlternative(words, punctuated);
  const speaker = words[0]!.speaker;
  return { start: words[0]!.start, end: words[words.length - 1]!.end, confidence, channel: 0, transcript, words: spoken, ...(speaker !== undefined ? { speaker } : {}) };
}

/** Deepgram's `paragraphs`: its transcript (a blank line between paragraphs) and each paragraph's sentences. */
function deepgramParagraphs(words: readonly TranscriptWord[]) {
  const grouped = paragraphs(words).map((paragraph) => ({
    sentences: paragraph.map((sentence) => ({ text: punctuate(sentence), start: sentence[0]!.start, end: sentence[sentence.length - 1]!.end })),
    num_words: paragraph.reduce((count, sentence) => count + sentence.length, 0),
    start: paragraph[0]![0]!.start,
    end: paragraph[paragraph.length - 1]!.at(-1)!.end,
  }));
  return { transcript: grouped.map((paragraph) => `\n${paragraph.sentences.map((sentence) => sentence.text).join(' ')}`).join('\n'), paragraphs: grouped };
}
