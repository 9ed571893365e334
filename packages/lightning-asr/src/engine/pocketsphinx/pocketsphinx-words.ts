/** Tokens that are silence, sentence marks or fillers rather than words: `<s>`, `<sil>`, `[NOISE]`, `++um++`. */
const NON_WORD = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;

export function isWord(token: string): boolean {
  return !NON_WORD.test(token);
}

/** A dictionary token as a word: alternate pronunciations come back as `word(2)`. */
export function spelling(token: string): string {
  return token.replace(/\(\d+\)$/, '');
}

/** A hypothesis string as the words it says, fillers left out. */
export function hypothesisText(hypothesis: string | null): string {
  return (hypothesis ?? '').split(/\s+/).filter((token) => token !== '' && isWord(token)).map(spelling).join(' ');
}
