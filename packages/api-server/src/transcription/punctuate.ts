import type { RecognizedWord } from '@stt/shared';
import type { TranscriptWord } from './batch-transcript.js';

/** A pause this long between words ends a sentence. */
const SENTENCE_PAUSE_SECONDS = 0.6;

/** First-person forms the recogniser emits in lower case. */
const FIRST_PERSON = /^i('m|'ll|'ve|'d)?$/;

/**
 * Words grouped into sentences: a new one starts after every long pause, and where the speaker
 * changes (so utterances, cues and punctuation follow the turns of a diarized transcript).
 */
export function sentences<Word extends TranscriptWord>(words: readonly Word[]): Word[][] {
  const groups: Word[][] = [];
  let previous: Word | undefined;
  for (const word of words) {
    if (previous === undefined || word.start - previous.end >= SENTENCE_PAUSE_SECONDS || word.speaker !== previous.speaker) groups.push([]);
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
  return plainText(punctuatedWords(words));
}

/**
 * The words as `punctuate` shows them (the first of a sentence capitalised, its last ending in
 * a full stop), times unchanged: what subtitles and utterances are cut from.
 */
export function punctuatedWords<Word extends TranscriptWord>(words: readonly Word[]): Word[] {
  return sentences(words).flatMap((sentence) =>
    sentence.map((word, index) => {
      let text = FIRST_PERSON.test(word.word) ? `I${word.word.slice(1)}` : word.word;
      if (index === 0) text = `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
      if (index === sentence.length - 1) text = `${text}.`;
      return { ...word, word: text };
    }),
  );
}

/** The words as a response shows them: punctuated, or as recognised. */
export function shownWords<Word extends TranscriptWord>(words: readonly Word[], punctuated: boolean): readonly Word[] {
  return punctuated ? punctuatedWords(words) : words;
}

/** The raw transcript: lower-case words separated by spaces. */
export function plainText(words: readonly RecognizedWord[]): string {
  return words.map((word) => word.word).join(' ');
}
