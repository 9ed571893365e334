import { cueTime } from './cue-time.js';
import type { Cue } from './subtitle-cues.js';

/** Cues as a SubRip (`.srt`) file: numbered blocks separated by blank lines. */
export function toSrt(cues: readonly Cue[]): string {
  return cues.map((cue, index) => `${index + 1}\n${cueTime(cue.start, ',')} --> ${cueTime(cue.end, ',')}\n${cue.lines.join('\n')}\n\n`).join('');
}
