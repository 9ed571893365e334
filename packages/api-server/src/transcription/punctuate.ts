import type { RecognizedWord } from '@stt/shared';

/** A pause this long between words ends a sentence. */
const SENTENCE_PAUSE_SECONDS = 0.6;

/** First-person forms the recogniser emits in lower case. */
const FIRST_PERSON = /^i('m|'ll|'ve|'d)?$/;

/** Words grouped into sentences: a new one starts after every long pause. */
export function sentences(words: readonly RecognizedWord[]): RecognizedWord[][] {
  const groups: RecognizedWord[][] = [];
  let previous: RecognizedWord | undefined;
  for (const word of words) {
    if (previous === undefined || word.start - previous.end >= SENTENCE_PAUSE_SECONDS) groups.push([]);
    groups[groups.length - 1]!.push(word);
    previous = word;
  }
  return groups;
}

/**
 * Readable text from recognised words: each sentence capitalised and ended with a full stop,
 * and "i" as "I". PocketSphinx emits neither case nor punctuation.
 */
export function punctuate(words: readonly RecognizedWord[]): string {
  return sentences(words)
    .map((sentence) => punctuatedWords(sentence).join(' '))
    .join(' ');
}

/** One sentence's words as `punctuate` writes them: the first capitalised, the last with its full stop. */
export function punctuatedWords(sentence: readonly RecognizedWord[]): string[] {
  const written = sentence.map((word) => (FIRST_PERSON.test(word.word) ? `I${word.word.slice(1)}` : word.word));
  const last = written.length - 1;
  return written.map((word, index) => {
    const cased = index === 0 ? `${word.charAt(0).toUpperCase()}${word.slice(1)}` : word;
    return index === last ? `${cased}.` : cased;
  });
}

/** The raw transcript: lower-case words separated by spaces. */
export function plainText(words: readonly RecognizedWord[]): string {
  return words.map((word) => word.word).join(' ');
}
