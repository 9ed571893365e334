import type { RecognizedWord } from '../asr-engine.js';

/** What a recognizer result says about its tokens; arrays a model does not fill are empty or absent. */
export interface TokenTimings {
  readonly tokens?: readonly string[];
  /** Start of each token, in seconds. */
  readonly timestamps?: readonly number[];
  /** Length of each token, in seconds (TDT transducers). */
  readonly durations?: readonly number[];
  /** Natural-log probability of each token (offline transducers). */
  readonly ys_log_probs?: readonly number[];
}

/**
 * A token's end when the model gives only starts: the next token's start, but at most this long
 * after its own. A transducer emits a token near its onset, so a pause after the last token of a
 * word is not part of the word. (A guess at a typical token's length, not measured on a model.)
 */
const MAX_TOKEN_SECONDS = 0.4;

/** Special tokens (`<unk>`, `<|en|>`, `<blk>`): not text. */
const SPECIAL = /^<.*>$/;
/** Where SentencePiece (`▁`) and byte-level BPE (a space) mark the start of a word. */
const SPACE_MARK = /^[▁ ]+/;
/** CJK ideographs, kana and hangul: written without spaces, each token is a word of its own. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** A word being put together from its tokens; `logProb` sums theirs. */
interface WordInProgress {
  text: string;
  start: number;
  end: number;
  logProb: number;
  tokens: number;
}

/**
 * A result's tokens as words with times: SentencePiece pieces (`▁hel`, `lo`) and byte-level BPE
 * (` hel`, `lo`) start a word at their space mark; paraformer's tokens carry no marks and are
 * words each, but for `hel@@`, which continues into the next; CJK characters stand alone.
 * Confidence is the geometric mean of the word's token probabilities where the model gives
 * them, else 1.
 */
export function wordsFromTokens(timings: TokenTimings, audioSeconds: number): RecognizedWord[] {
  const tokens = timings.tokens ?? [];
  const starts = timings.timestamps ?? [];
  if (tokens.length === 0 || starts.length !== tokens.length) return [];
  const marked = tokens.some((token) => SPACE_MARK.test(token));
  const words: RecognizedWord[] = [];
  let current: WordInProgress | undefined;
  let continues = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (SPECIAL.test(token)) continue;
    const piece = token.replace(SPACE_MARK, '').replace(/@@$/, '');
    const start = starts[i]!;
    const end = tokenEnd(starts, timings.durations, i, audioSeconds);
    const logProb = timings.ys_log_probs?.[i] ?? 0;
    const joins = current !== undefined && (continues || (marked && !SPACE_MARK.test(token) && !CJK.test(piece) && !CJK.test(current.text)));
    continues = token.endsWith('@@');
    if (current !== undefined && joins) {
      current.text += piece;
      current.end = end;
      current.logProb += logProb;
      current.tokens++;
    } else {
      if (current !== undefined) words.push(toWord(current));
      current = { text: piece, start, end, logProb, tokens: 1 };
    }
  }
  if (current !== undefined) words.push(toWord(current));
  return words.filter((word) => word.word !== '');
}

/** Words of a text without token times (whisper): each spans the whole audio. */
export function wordsFromText(text: string, audioSeconds: number): RecognizedWord[] {
  return text.split(/\s+/).filter((word) => word !== '').map((word) => ({ word, start: 0, end: audioSeconds, confidence: 1 }));
}

function tokenEnd(starts: readonly number[], durations: readonly number[] | undefined, i: number, audioSeconds: number): number {
  const start = starts[i]!;
  const duration = durations?.[i];
  if (duration !== undefined && duration > 0) return start + duration;
  return Math.min(starts[i + 1] ?? audioSeconds, start + MAX_TOKEN_SECONDS, audioSeconds);
}

function toWord(word: WordInProgress): RecognizedWord {
  const confidence = Math.exp(word.logProb / word.tokens);
  return { word: word.text, start: word.start, end: Math.max(word.start, word.end), confidence: Math.min(1, Math.max(0, confidence)) };
}
