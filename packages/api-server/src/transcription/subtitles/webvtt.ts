import { cueTime } from './cue-time.js';
import type { Cue } from './subtitle-cues.js';

/** Cues as a WebVTT (`.vtt`) file. */
export function toWebVtt(cues: readonly Cue[]): string {
  const blocks = cues.map((cue) => `${cueTime(cue.start, '.')} --> ${cueTime(cue.end, '.')}\n${cue.lines.map(escapeCueText).join('\n')}\n\n`);
  return `WEBVTT\n\n${blocks.join('')}`;
}

/** WebVTT cue text is markup: `&` and `<` must be escaped, and `>` so that `-->` never appears. */
function escapeCueText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
