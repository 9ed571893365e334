/** Whisper's multilingual models (its tokenizer's list; `jw` written `jv`, as ISO 639-1 spells Javanese). */
const WHISPER = [
  'en', 'zh', 'de', 'es', 'ru', 'ko', 'fr', 'ja', 'pt', 'tr', 'pl', 'ca', 'nl', 'ar', 'sv', 'it', 'id', 'hi', 'fi', 'vi',
  'he', 'uk', 'el', 'ms', 'cs', 'ro', 'da', 'hu', 'ta', 'no', 'th', 'ur', 'hr', 'bg', 'lt', 'la', 'mi', 'ml', 'cy', 'sk',
  'te', 'fa', 'lv', 'bn', 'sr', 'az', 'sl', 'kn', 'et', 'mk', 'br', 'eu', 'is', 'hy', 'ne', 'mn', 'bs', 'kk', 'sq', 'sw',
  'gl', 'mr', 'pa', 'si', 'km', 'sn', 'yo', 'so', 'af', 'oc', 'ka', 'be', 'tg', 'sd', 'gu', 'am', 'yi', 'lo', 'uz', 'fo',
  'ht', 'ps', 'tk', 'nn', 'mt', 'sa', 'lb', 'my', 'bo', 'tl', 'mg', 'as', 'tt', 'haw', 'ln', 'ha', 'ba', 'jv', 'su', 'yue',
];

/** Parakeet-TDT 0.6B v3: the 25 European languages NVIDIA lists for it. */
const PARAKEET_V3 = [
  'bg', 'hr', 'cs', 'da', 'nl', 'en', 'et', 'fi', 'fr', 'de', 'el', 'hu', 'it', 'lv', 'lt', 'mt', 'pl', 'pt', 'ro', 'sk',
  'sl', 'es', 'sv', 'ru', 'uk',
];

/** Official archives whose names do not spell their languages out, by folder name; first match wins. */
const BY_NAME: readonly (readonly [RegExp, readonly string[]])[] = [
  [/sense-?voice/i, ['zh', 'en', 'ja', 'ko', 'yue']],
  [/parakeet.*v3/i, PARAKEET_V3],
  [/parakeet/i, ['en']],
  [/whisper(?!.*\.en\b)/i, WHISPER],
];

/** Codes that name a language when they are a whole part of an archive's name (`…-zipformer-bilingual-zh-en-…`). */
const NAMED_CODES = new Set(WHISPER);

/**
 * The languages of an official sherpa-onnx archive, from its folder name: the table above, else
 * the language codes among the name's parts (`sherpa-onnx-whisper-tiny.en`, `…-paraformer-zh-…`),
 * else English.
 */
export function modelLanguages(folderName: string): readonly string[] {
  const known = BY_NAME.find(([pattern]) => pattern.test(folderName));
  if (known) return known[1];
  const codes = [...new Set(folderName.toLowerCase().split(/[-_.]/).filter((part) => NAMED_CODES.has(part)))];
  return codes.length > 0 ? codes : ['en'];
}
