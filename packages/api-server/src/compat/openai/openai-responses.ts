import { deflateSync } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import type { RecognizedWord } from '@stt/shared';
import type { BatchTranscript } from '../../transcription/batch-transcript.js';
import { sentences, shownWords } from '../../transcription/punctuate.js';
import { sendTextFormat } from '../../transcription/subtitles/text-formats.js';
import { subtitleCues, type Cue } from '../../transcription/subtitles/subtitle-cues.js';
import { textSpan } from '../../transcription/transcript-structure.js';
import type { OpenAiAnswerOptions } from './openai-options.js';

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** OpenAI's answer in the format asked for: JSON bodies, or text and subtitles as documents. */
export function sendOpenAiTranscription(reply: FastifyReply, transcript: BatchTranscript, language: string, options: OpenAiAnswerOptions): FastifyReply {
  const { responseFormat } = options;
  if (responseFormat === 'json') return reply.send({ text: textSpan(transcript.words, true).text, usage: durationUsage(transcript) });
  if (responseFormat === 'verbose_json') return reply.send(verboseTranscription(transcript, language, options));
  if (responseFormat === 'diarized_json') return reply.send(diarizedTranscription(transcript));
  return sendTextFormat(reply, responseFormat, shownWords(transcript.words, true));
}

/** `verbose_json`: the language by its English name (as OpenAI gives it), segments (the subtitle cues), words. */
function verboseTranscription(transcript: BatchTranscript, language: string, options: OpenAiAnswerOptions) {
  return {
    task: 'transcribe',
    language: (languageNames.of(language) ?? language).toLowerCase(),
    duration: transcript.durationSeconds,
    text: textSpan(transcript.words, true).text,
    ...(options.segments ? { segments: subtitleCues(shownWords(transcript.words, true)).map(segment) } : {}),
    ...(options.words ? { words: transcript.words.map(({ word, start, end }) => ({ word, start, end })) } : {}),
    usage: durationUsage(transcript),
  };
}

/**
 * `diarized_json`: one segment per utterance (an utterance is one speaker's), speakers lettered
 * A, B, … in order of first word, as OpenAI labels them when no known speakers are given.
 */
function diarizedTranscription(transcript: BatchTranscript) {
  return {
    task: 'transcribe',
    duration: transcript.durationSeconds,
    text: textSpan(transcript.words, true).text,
    segments: sentences(transcript.words).map((sentence, index) => ({
      type: 'transcript.text.segment',
      id: `seg_${index}`,
      speaker: String.fromCharCode(65 + (sentence[0]!.speaker ?? 0)),
      ...textSpan(sentence, true),
    })),
    usage: durationUsage(transcript),
  };
}

/**
 * A cue as a Whisper segment. Fields with no counterpart here: `tokens` empty (no tokenizer),
 * `temperature` 0 (decoding is deterministic), `no_speech_prob` 0 (a segment is made of words);
 * `avg_logprob` is the mean log of the words' confidences, `compression_ratio` Whisper's own
 * (text bytes over deflated bytes), `seek` the start in 10 ms frames.
 */
function segment(cue: Cue, id: number) {
  const text = cue.lines.join(' ');
  return {
    id,
    seek: Math.round(cue.start * 100),
    start: cue.start,
    end: cue.end,
    text,
    tokens: [],
    temperature: 0,
    avg_logprob: meanLogConfidence(cue.words),
    compression_ratio: Buffer.byteLength(text) / deflateSync(text).length,
    no_speech_prob: 0,
  };
}

/** PocketSphinx gives confidence 0 to some words; the floor keeps their log finite. */
const meanLogConfidence = (words: readonly RecognizedWord[]): number =>
  words.reduce((sum, word) => sum + Math.log(Math.max(word.confidence, 1e-6)), 0) / Math.max(words.length, 1);

/** OpenAI bills `whisper-1` by the second of audio, rounded up, and says so in `usage`. */
const durationUsage = (transcript: BatchTranscript) => ({ type: 'duration', seconds: Math.ceil(transcript.durationSeconds) });
