import type { FastifyReply } from 'fastify';
import type { TranscriptWord } from '../batch-transcript.js';
import { plainText } from '../punctuate.js';
import { toSrt } from './srt.js';
import { subtitleCues } from './subtitle-cues.js';
import { toWebVtt } from './webvtt.js';

/** The transcript as a document rather than JSON: plain text, SubRip or WebVTT subtitles. */
export type TextFormat = 'text' | 'srt' | 'vtt';

export const TEXT_FORMAT_TYPES: Readonly<Record<TextFormat, string>> = {
  text: 'text/plain',
  srt: 'application/x-subrip',
  vtt: 'text/vtt',
};

/** `words` (as shown: punctuated or not) in `format`. */
export function renderTextFormat(format: TextFormat, words: readonly TranscriptWord[]): string {
  if (format === 'srt') return toSrt(subtitleCues(words));
  if (format === 'vtt') return toWebVtt(subtitleCues(words));
  return `${plainText(words)}\n`;
}

/** Answers with `words` in `format`, as UTF-8. */
export function sendTextFormat(reply: FastifyReply, format: TextFormat, words: readonly TranscriptWord[]): FastifyReply {
  return reply.type(`${TEXT_FORMAT_TYPES[format]}; charset=utf-8`).send(renderTextFormat(format, words));
}
