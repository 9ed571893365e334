import { speakerLabel } from '../../diarization/speaker-label.js';
import { cueTime } from './cue-time.js';
import type { Cue } from './subtitle-cues.js';

/**
 * Cues as a WebVTT (`.vtt`) file. A diarized transcript's cues (each one speaker's) open with
 * WebVTT's voice span, `<v SPEAKER_00>`, which players show or style as the speaker.
 */
export function toWebVtt(cues: readonly Cue[]): string {
  const blocks = cues.map((cue) => {
    const speaker = cue.words[0]?.speaker;
    const voice = speaker !== undefined ? `<v ${speakerLabel(speaker)}>` : '';
    return `${cueTime(cue.start, '.')} --> ${cueTime(cue.end, '.')}\n${voice}${cue.lines.map(escapeCueText).join('\n')}\n\n`;
  });
  return `WEBVTT\n\n${blocks.join('')}`;
}

/** WebVTT cue text is markup: `&` and `<` must be escaped, and `>` so that `-->` never appears. */
function escapeCueText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
