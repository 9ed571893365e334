/**
 * What makes a subtitle cue readable (the common broadcast rules, as Netflix's and the BBC's
 * style guides give them): short lines, at most two of them, never long on screen.
 */
export const CUE_RULES = {
  maxLineChars: 42,
  maxLines: 2,
  maxSeconds: 7,
} as const;
